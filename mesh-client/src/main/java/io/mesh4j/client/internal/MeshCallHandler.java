package io.mesh4j.client.internal;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.NoHealthyInstanceException;
import io.mesh4j.api.UnknownServiceException;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.client.UnknownHostPolicy;
import java.io.IOException;
import java.util.function.LongSupplier;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One call through the mesh: resolve the host, pick an instance from the service's current snapshot, rewrite the
 * URL to it, send, and report the attempt's latency and outcome to the picked endpoint and to telemetry.
 *
 * <p>Thread-safe and lock-free: it holds only immutable configuration and the registry.
 */
public final class MeshCallHandler {

    private final ServiceRegistry registry;
    private final UnknownHostPolicy unknownHostPolicy;
    private final Telemetry telemetry;
    private final LongSupplier nanoTime;

    public MeshCallHandler(ServiceRegistry registry, UnknownHostPolicy unknownHostPolicy, Telemetry telemetry,
            LongSupplier nanoTime) {
        this.registry = requireNonNull(registry, "registry");
        this.unknownHostPolicy = requireNonNull(unknownHostPolicy, "unknownHostPolicy");
        this.telemetry = requireNonNull(telemetry, "telemetry");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    public Response handle(Interceptor.Chain chain) throws IOException {
        Request request = chain.request();
        HttpUrl url = request.url();
        ServiceState service = registry.find(url.host());
        if (service == null) {
            if (unknownHostPolicy == UnknownHostPolicy.FAIL) {
                throw new UnknownServiceException(url.host());
            }
            return chain.proceed(request);
        }
        CallScope call = telemetry.startCall(service, request);
        Endpoint endpoint = service.picker().pick(new CallContext(service, request));
        if (endpoint == null) {
            NoHealthyInstanceException failure =
                    new NoHealthyInstanceException(service.name(), service.knownInstances());
            call.end(null, failure, CallOutcome.NO_INSTANCE);
            throw failure;
        }
        HttpUrl target = service.urlRewriter().rewrite(url, endpoint.instance());
        Request.Builder attempt = request.newBuilder().url(target);
        call.beforeAttempt(attempt, endpoint.instance(), target, 1);
        return send(chain, attempt.build(), endpoint, call);
    }

    private Response send(Interceptor.Chain chain, Request request, Endpoint endpoint, CallScope call)
            throws IOException {
        endpoint.onAttemptStart();
        long start = nanoTime.getAsLong();
        Response response;
        try {
            response = chain.proceed(request);
        } catch (IOException | RuntimeException | Error e) {
            AttemptOutcome outcome = AttemptOutcomes.ofFailure(e, chain.call().isCanceled());
            long end = nanoTime.getAsLong();
            endpoint.onAttemptEnd(end, end - start, outcome);
            call.afterAttempt(null, e, outcome);
            call.end(null, e, CallOutcome.ofFailure(outcome));
            throw e;
        }
        AttemptOutcome outcome = AttemptOutcomes.ofStatus(response.code());
        long end = nanoTime.getAsLong();
        endpoint.onAttemptEnd(end, end - start, outcome);
        call.afterAttempt(response, null, outcome);
        call.end(response, null, CallOutcome.ofStatus(response.code()));
        return response;
    }
}
