package io.mesh4j.api;

/**
 * Thrown when a request names a host that discovery does not know, and the client is set to fail on unknown hosts
 * rather than pass them through.
 */
public final class UnknownServiceException extends MeshException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception naming {@code service}. */
    public UnknownServiceException(String service) {
        super(service, "Unknown service '" + service + "': discovery has no such service");
    }
}
