package io.mesh4j.client;

import io.mesh4j.api.CircuitOpenException;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Answers a call that the service's open circuit breaker rejected, instead of failing it with
 * {@link CircuitOpenException}: a cached copy, a default, a degraded answer. It runs on the calling thread and should
 * return at once. The response must carry {@code request} as its request.
 *
 * <pre>{@code
 * ServiceSettings.custom()
 *     .circuitBreaker(CircuitBreakerConfig.ofDefaults())
 *     .fallback((request, cause) -> new Response.Builder()
 *         .request(request).protocol(Protocol.HTTP_1_1).code(200).message("OK (fallback)")
 *         .body(ResponseBody.create("[]", MediaType.get("application/json")))
 *         .build())
 *     .build();
 * }</pre>
 */
@FunctionalInterface
public interface Fallback {

    /** The answer to {@code request}, which was not sent because of {@code cause}. */
    Response respond(Request request, CircuitOpenException cause);
}
