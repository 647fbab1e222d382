package io.mesh4j.api;

/**
 * Thrown when the service already has as many calls in flight as its concurrency limit allows: the call
 * fails at once without reaching any instance.
 */
public final class ConcurrencyLimitException extends MeshException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception for {@code service}. */
    public ConcurrencyLimitException(String service) {
        super(service, "Concurrency limit of service '" + service + "' reached");
    }
}
