package io.mesh4j.api;

/**
 * Thrown when the service's circuit breaker is open, or half-open with no trial call left: the call fails
 * fast without reaching any instance.
 */
public final class CircuitOpenException extends MeshException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception for {@code service}. */
    public CircuitOpenException(String service) {
        super(service, "Circuit breaker of service '" + service + "' is open: failing fast");
    }
}
