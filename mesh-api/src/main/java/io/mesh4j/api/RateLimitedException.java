package io.mesh4j.api;

/**
 * Thrown when the service's rate limit has no permit left for this call: it fails at once without reaching
 * any instance.
 */
public final class RateLimitedException extends MeshException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception for {@code service}. */
    public RateLimitedException(String service) {
        super(service, "Rate limit of service '" + service + "' exceeded");
    }
}
