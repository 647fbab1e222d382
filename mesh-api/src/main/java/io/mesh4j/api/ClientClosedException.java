package io.mesh4j.api;

/**
 * Thrown for a call to a mesh service made after its client was closed. Calls to hosts outside the mesh are not
 * affected: they still pass through (or fail as unknown, as the client is configured).
 */
public final class ClientClosedException extends MeshException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception for a call to {@code service}. */
    public ClientClosedException(String service) {
        super(service, "MeshClient is closed: no call to service '" + service + "' can start");
    }
}
