package io.mesh4j.client;

/**
 * What a mesh request's {@code Host} header (HTTP/2 {@code :authority}) names when it reaches an instance. A
 * request that sets its own {@code Host} header keeps it either way.
 */
public enum HostHeader {
    /**
     * The logical host the caller wrote, such as {@code orders} (with its port when not the default): the backend
     * sees which service was called, as behind Envoy, which keeps the request's authority. The default.
     */
    SERVICE,
    /** The picked instance's address, such as {@code 10.0.0.7:8080}, as a plain OkHttp call to it would send. */
    INSTANCE
}
