package io.mesh4j.api.balancer;

/**
 * How one attempt to one instance ended, as far as that instance's health is concerned.
 */
public enum AttemptOutcome {
    /** A response arrived that is not a server error (1xx to 4xx): the instance is healthy. */
    SUCCESS(false, false),
    /** A 5xx response. */
    SERVER_ERROR(true, false),
    /** The connection could not be made; the request provably never reached the instance. */
    CONNECT_FAILURE(true, true),
    /** The attempt ran out of time after the request may have been sent. */
    TIMEOUT(true, false),
    /** The connection failed after it was made (reset, closed early, protocol error). */
    NETWORK_FAILURE(true, false),
    /**
     * The attempt says nothing about the instance: the caller cancelled it, or it broke on a pooled connection before
     * any answer began, as when the server closed that connection while it sat idle.
     */
    CANCELLED(false, false),
    /**
     * The caller stopped waiting because another attempt of the same call (a hedge) answered first. The time waited
     * is a lower bound of the instance's latency, worth a latency sample, but neither a success nor a failure.
     */
    ABANDONED(false, false);

    private final boolean failure;
    private final boolean neverSent;
    private final String tag;

    AttemptOutcome(boolean failure, boolean neverSent) {
        this.failure = failure;
        this.neverSent = neverSent;
        this.tag = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The lower-case name, for metric tags and logs. */
    public String tag() {
        return tag;
    }

    /** Whether this outcome counts against the instance (for penalties, ejection and breakers). */
    public boolean isFailure() {
        return failure;
    }

    /**
     * Whether the attempt ran its course, so that its outcome tells about the instance's health: false for
     * {@link #CANCELLED} and {@link #ABANDONED}.
     */
    public boolean completed() {
        return this != CANCELLED && this != ABANDONED;
    }

    /** Whether the request provably never reached the instance, so resending it cannot duplicate its effect. */
    public boolean requestNeverSent() {
        return neverSent;
    }
}
