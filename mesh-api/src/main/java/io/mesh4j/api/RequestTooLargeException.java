package io.mesh4j.api;

/**
 * Thrown when a call's request headers are more, or larger, than the client allows: the mesh refuses it before any
 * attempt, so nothing reaches the network (Envoy answers such a request with 431 for the same reason). The limits
 * guard the backends and the caller against a header that grew by mistake, such as a cookie appended to in a loop.
 */
public final class RequestTooLargeException extends MeshException {

    private static final long serialVersionUID = 1L;

    /** @param what what is over the limit, such as {@code "120 headers (expected: at most 100)"} */
    public RequestTooLargeException(String service, String what) {
        super(service, "Request to service '" + service + "' refused before sending: " + what);
    }
}
