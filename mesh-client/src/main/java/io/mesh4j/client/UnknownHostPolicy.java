package io.mesh4j.client;

/**
 * What the mesh does with a request whose host discovery does not know.
 */
public enum UnknownHostPolicy {
    /**
     * Send the request unchanged, as if the mesh were not there. The default, so that adding the interceptor to an
     * existing client does not break its calls to hosts outside the mesh.
     */
    PASS_THROUGH,
    /** Fail the call with {@link io.mesh4j.api.UnknownServiceException}: every host must be a mesh service. */
    FAIL
}
