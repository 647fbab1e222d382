package io.mesh4j.api;

import java.util.List;

/**
 * Thrown when a call made several attempts and none gave an answer: its message names every instance tried and
 * what happened there, in order; the last attempt's failure is the cause and the earlier ones are suppressed
 * exceptions. A call that failed after a single attempt throws that attempt's own failure instead.
 */
public final class AttemptsFailedException extends MeshException {

    private static final long serialVersionUID = 1L;

    private final List<String> attempts;

    /**
     * Creates an exception for a call to {@code service}.
     *
     * @param attempts one line per attempt, such as {@code "orders-1 (10.0.0.7:8080): ConnectException: Connection
     *     refused"}, in the order they were made
     * @param last the failure that ended the call
     */
    public AttemptsFailedException(String service, List<String> attempts, Throwable last) {
        super(service, "All " + attempts.size() + " attempts to service '" + service + "' failed: "
                + String.join("; ", attempts), last);
        this.attempts = List.copyOf(attempts);
    }

    /** One line per attempt, in order: the instance and what happened there. */
    public List<String> attempts() {
        return attempts;
    }
}
