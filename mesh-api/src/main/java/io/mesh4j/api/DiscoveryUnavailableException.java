package io.mesh4j.api;

/**
 * Thrown when a call's host may be a mesh service but discovery could not say, because its registry did not answer:
 * Consul refused the connection, timed out or failed before it ever listed the service. The cause is discovery's
 * own failure. A call to a host outside the mesh still passes through while the registry is down; this error
 * replaces only the {@code UnknownHostException} such a call would otherwise end with, or the
 * {@link UnknownServiceException} of a client that fails unknown hosts.
 */
public final class DiscoveryUnavailableException extends MeshException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception for {@code service}, which discovery could not look up because of {@code cause}. */
    public DiscoveryUnavailableException(String service, Throwable cause) {
        super(service, "Discovery could not tell whether '" + service + "' is a mesh service, as its registry did not"
                + " answer: " + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()),
                cause);
    }
}
