package io.mesh4j.client;

import io.mesh4j.client.internal.MeshCallHandler;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * The OkHttp application interceptor that does the mesh's work: a request to {@code http://orders/v1/items?q=1}
 * goes to {@code http(s)://host:port/v1/items?q=1} of an instance of {@code orders} picked by the service's
 * balancer, with method, path, query, headers and body unchanged. Hosts discovery does not know pass through or
 * fail, as {@link MeshClient.Builder#unknownHostPolicy} says.
 *
 * <p>Get one from {@link MeshClient#interceptor()} and add it to a client you already have. Add it with
 * {@code addInterceptor}, not {@code addNetworkInterceptor}: network interceptors may not change the host.
 *
 * <pre>{@code
 * OkHttpClient http = existingClient.newBuilder()
 *     .addInterceptor(meshClient.interceptor())
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe; one interceptor serves any number of clients and threads.
 *
 * <p>What it changes for each mesh call, on any client: OkHttp's own retry after a connection failure (and of a
 * 408) is off for the call's attempts, each attempt runs with the service's per-try timeout (the deadline only
 * shortens the client's timeouts), and the backend sees {@code Host: <service>} unless the service asks for the
 * instance's address. OkHttp's resend of a 503 with {@code Retry-After: 0} cannot be stopped from here; on a client
 * built by {@link MeshClient#okHttpClient()} it is, and elsewhere the first one is logged as a warning.
 *
 * <p>Errors: {@link io.mesh4j.api.UnknownServiceException}, {@link io.mesh4j.api.NoHealthyInstanceException},
 * {@link io.mesh4j.api.AttemptsFailedException} (every attempt failed; each instance and why in its message) and
 * {@link io.mesh4j.api.ClientClosedException}, all {@link io.mesh4j.api.MeshException}s and so
 * {@link IOException}s, which OkHttp hands to {@code Callback.onFailure} for asynchronous calls; a call that failed
 * at its only attempt throws that attempt's own failure.
 */
public final class MeshInterceptor implements Interceptor {

    private final MeshCallHandler handler;
    private final boolean onMeshClient;

    /** @param onMeshClient whether this is the interceptor of the mesh's own client, {@code okHttpClient()} */
    MeshInterceptor(MeshCallHandler handler, boolean onMeshClient) {
        this.handler = handler;
        this.onMeshClient = onMeshClient;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        return handler.handle(chain, onMeshClient);
    }
}
