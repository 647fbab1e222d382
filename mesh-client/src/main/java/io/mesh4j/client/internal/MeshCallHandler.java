package io.mesh4j.client.internal;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.CircuitOpenException;
import io.mesh4j.api.MeshException;
import io.mesh4j.api.NoHealthyInstanceException;
import io.mesh4j.api.RateLimitedException;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.UnknownServiceException;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.client.Fallback;
import io.mesh4j.client.Idempotent;
import io.mesh4j.client.UnknownHostPolicy;
import io.mesh4j.resilience.RetryPolicy;
import io.mesh4j.resilience.ServiceGuard;
import io.mesh4j.resilience.TimeoutConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One call through the mesh: resolve the host, then attempt after attempt (while the service's
 * {@link RetryPolicy} allows) pick an instance not tried yet from the snapshot read at the start of the call,
 * rewrite the URL to it, send, and report the attempt's latency and outcome to the picked endpoint and to
 * telemetry. A failed attempt's response is closed before the next one; the last attempt's response or failure is
 * the call's.
 *
 * <p>Thread-safe and lock-free: it holds only immutable configuration and the registry.
 */
public final class MeshCallHandler {

    private final ServiceRegistry registry;
    private final UnknownHostPolicy unknownHostPolicy;
    private final Telemetry telemetry;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;

    public MeshCallHandler(ServiceRegistry registry, UnknownHostPolicy unknownHostPolicy, Telemetry telemetry,
            LongSupplier nanoTime, Sleeper sleeper) {
        this.registry = requireNonNull(registry, "registry");
        this.unknownHostPolicy = requireNonNull(unknownHostPolicy, "unknownHostPolicy");
        this.telemetry = requireNonNull(telemetry, "telemetry");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.sleeper = requireNonNull(sleeper, "sleeper");
    }

    /** Waits between attempts; replaced in tests. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper SYSTEM = TimeUnit.NANOSECONDS::sleep;

        void sleep(long nanos) throws InterruptedException;
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
        ServiceGuard guard = service.guard();
        if (!guard.isActive()) {
            return attempts(chain, request, url, service, call);
        }
        try {
            guard.admit();
        } catch (MeshException rejected) {
            Fallback fallback = service.settings().fallback();
            if (fallback != null && rejected instanceof CircuitOpenException) {
                Response answer = fallback.respond(request, (CircuitOpenException) rejected);
                call.end(answer, null, CallOutcome.CIRCUIT_OPEN);
                return answer;
            }
            call.end(null, rejected, rejected instanceof CircuitOpenException ? CallOutcome.CIRCUIT_OPEN
                    : rejected instanceof RateLimitedException ? CallOutcome.RATE_LIMITED
                    : CallOutcome.CONCURRENCY_LIMITED);
            throw rejected;
        }
        long start = nanoTime.getAsLong();
        Response response;
        try {
            response = attempts(chain, request, url, service, call);
        } catch (IOException | RuntimeException | Error e) {
            guard.onFailure(nanoTime.getAsLong() - start, e);
            throw e;
        }
        if (response.code() >= 500) {
            guard.onFailure(nanoTime.getAsLong() - start, new ServerErrorException(response.code()));
        } else {
            guard.onSuccess(nanoTime.getAsLong() - start);
        }
        return response;
    }

    private Response attempts(Interceptor.Chain chain, Request request, HttpUrl url, ServiceState service,
            CallScope call) throws IOException {
        long callStart = nanoTime.getAsLong();
        TimeoutConfig timeouts = service.settings().timeouts();
        long perTry = timeouts.perTryTimeout().toNanos();
        long deadline = timeouts.overallTimeout().isZero()
                ? Long.MAX_VALUE
                : callStart + timeouts.overallTimeout().toNanos();
        String deadlineHeader = timeouts.deadlineHeader();
        RetryPolicy retry = service.retryPolicy();
        retry.onCall(callStart);
        Picker picker = service.picker();
        RequestBody body = request.body();
        boolean replayable = body == null || !body.isOneShot();
        boolean markedIdempotent = request.tag(Idempotent.class) != null;
        boolean hedged = service.hedgingPolicy().appliesTo(request.method(), markedIdempotent, replayable);
        List<ServiceInstance> tried = hedged ? new ArrayList<>() : List.of();
        int sent = 0;
        for (int attempt = 1; ; attempt++) {
            Endpoint endpoint = picker.pick(sent == 0
                    ? new CallContext(service, request)
                    : new CallContext(service, request, sent + 1, tried));
            if (endpoint == null) {
                NoHealthyInstanceException failure =
                        new NoHealthyInstanceException(service.name(), service.knownInstances());
                call.end(null, failure, CallOutcome.NO_INSTANCE);
                throw failure;
            }
            long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - nanoTime.getAsLong();
            if (left <= 0) {
                InterruptedIOException failure = new InterruptedIOException(
                        "deadline of " + timeouts.overallTimeout() + " for service '" + service.name() + "' exceeded");
                call.end(null, failure, CallOutcome.TIMEOUT);
                throw failure;
            }
            AttemptKind kind = attempt == 1 ? AttemptKind.FIRST : AttemptKind.RETRY;
            AttemptResult result;
            if (hedged) {
                HedgeSender sender = new HedgeSender(service, request, url, call, tried, deadline, deadlineHeader,
                        sent);
                result = new HedgedRound(sender, service.hedgeClient(), chain, service.hedgingPolicy(), nanoTime,
                        perTry, deadline).run(endpoint, kind, picker);
                sent = sender.sent;
            } else {
                ServiceInstance instance = endpoint.instance();
                HttpUrl target = service.urlRewriter().rewrite(url, instance);
                Request.Builder builder = attemptRequest(request, target, deadlineHeader, left);
                AttemptScope scope = call.beforeAttempt(builder, instance, target, ++sent, kind);
                long attemptTimeout = Math.min(perTry == 0 ? Long.MAX_VALUE : perTry, left);
                result = send(attemptTimeout == Long.MAX_VALUE ? chain : withTimeout(chain, attemptTimeout),
                        builder.build(), endpoint, service, attempt == 1 ? callStart : nanoTime.getAsLong());
                scope.end(result.response, result.failure, result.outcome);
            }
            int status = result.response != null ? result.response.code() : 0;
            long retryAfter = status == 429 || status == 503 ? RetryAfter.nanos(result.response) : -1;
            long delay = retry.retryDelayNanos(request.method(), markedIdempotent, attempt, result.outcome, status,
                    retryAfter, replayable);
            if (delay == RetryPolicy.NO_RETRY
                    || (deadline != Long.MAX_VALUE && nanoTime.getAsLong() + delay >= deadline)) {
                return finish(call, result);
            }
            result.close();
            if (!hedged) {
                if (tried.isEmpty()) {
                    tried = new ArrayList<>(retry.config().maxAttempts());
                }
                tried.add(endpoint.instance());
            }
            pause(delay, call);
        }
    }

    /** The request sent to {@code target}, with the time left in the deadline header when there is a deadline. */
    private static Request.Builder attemptRequest(Request request, HttpUrl target, @Nullable String deadlineHeader,
            long leftNanos) {
        Request.Builder builder = request.newBuilder().url(target);
        if (deadlineHeader != null && leftNanos != Long.MAX_VALUE) {
            builder.header(deadlineHeader, Long.toString(Math.max(1, leftNanos / 1_000_000)));
        }
        return builder;
    }

    /** Prepares and reports the attempts of one hedged round; counts what the call has sent. */
    private final class HedgeSender implements HedgedRound.AttemptSender {
        private final ServiceState service;
        private final Request request;
        private final HttpUrl url;
        private final CallScope call;
        private final List<ServiceInstance> tried;
        private final long deadline;
        @Nullable
        private final String deadlineHeader;
        int sent;

        HedgeSender(ServiceState service, Request request, HttpUrl url, CallScope call, List<ServiceInstance> tried,
                long deadline, @Nullable String deadlineHeader, int sent) {
            this.service = service;
            this.request = request;
            this.url = url;
            this.call = call;
            this.tried = tried;
            this.deadline = deadline;
            this.deadlineHeader = deadlineHeader;
            this.sent = sent;
        }

        @Override
        public HedgedRound.Prepared prepare(Endpoint endpoint, AttemptKind kind) {
            ServiceInstance instance = endpoint.instance();
            long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - nanoTime.getAsLong();
            HttpUrl target = service.urlRewriter().rewrite(url, instance);
            Request.Builder builder = attemptRequest(request, target, deadlineHeader, left);
            AttemptScope scope = call.beforeAttempt(builder, instance, target, ++sent, kind);
            tried.add(instance);
            return new HedgedRound.Prepared(builder.build(), scope);
        }

        @Override
        @Nullable
        public Endpoint pickUntried(Picker picker) {
            Endpoint endpoint = picker.pick(new CallContext(service, request, sent + 1, tried));
            return endpoint == null || tried.contains(endpoint.instance()) ? null : endpoint;
        }

        @Override
        public void ended(Endpoint endpoint, AttemptScope scope, @Nullable Response response,
                @Nullable Throwable failure, AttemptOutcome outcome, long endNanos, long latencyNanos) {
            endpoint.onAttemptEnd(endNanos, latencyNanos, outcome);
            service.attemptEnded(endpoint.instance(), outcome, latencyNanos, endNanos);
            scope.end(response, failure, outcome);
        }

        @Override
        public boolean retryableStatus(int status) {
            return service.retryPolicy().isRetryableStatus(status);
        }
    }

    /** What a circuit breaker records for a 5xx answer. */
    private static final class ServerErrorException extends IOException {
        private static final long serialVersionUID = 1L;

        ServerErrorException(int code) {
            super("HTTP " + code, null);
        }
    }

    /** The chain with connect, write and read timeouts of {@code nanos}, at least one millisecond. */
    private static Interceptor.Chain withTimeout(Interceptor.Chain chain, long nanos) {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, nanos / 1_000_000));
        return chain.withConnectTimeout(millis, TimeUnit.MILLISECONDS)
                .withWriteTimeout(millis, TimeUnit.MILLISECONDS)
                .withReadTimeout(millis, TimeUnit.MILLISECONDS);
    }

    private static Response finish(CallScope call, AttemptResult result) throws IOException {
        if (result.response != null) {
            call.end(result.response, null, CallOutcome.ofStatus(result.response.code()));
            return result.response;
        }
        Throwable failure = result.failure;
        call.end(null, failure, CallOutcome.ofFailure(result.outcome));
        if (failure instanceof IOException) {
            throw (IOException) failure;
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        throw (Error) failure;
    }

    private void pause(long nanos, CallScope call) throws InterruptedIOException {
        if (nanos <= 0) {
            return;
        }
        try {
            sleeper.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException failure = new InterruptedIOException("interrupted while waiting to retry");
            call.end(null, failure, CallOutcome.CANCELLED);
            throw failure;
        }
    }

    /** Sends one attempt; {@code start} is when it began, read by the caller. */
    private AttemptResult send(Interceptor.Chain chain, Request request, Endpoint endpoint, ServiceState service,
            long start) {
        endpoint.onAttemptStart();
        Response response;
        try {
            response = chain.proceed(request);
        } catch (IOException | RuntimeException | Error e) {
            AttemptOutcome outcome = AttemptOutcomes.ofFailure(e, chain.call().isCanceled());
            long end = nanoTime.getAsLong();
            endpoint.onAttemptEnd(end, end - start, outcome);
            service.attemptEnded(endpoint.instance(), outcome, end - start, end);
            return new AttemptResult(null, e, outcome);
        }
        AttemptOutcome outcome = AttemptOutcomes.ofStatus(response.code());
        long end = nanoTime.getAsLong();
        endpoint.onAttemptEnd(end, end - start, outcome);
        service.attemptEnded(endpoint.instance(), outcome, end - start, end);
        return new AttemptResult(response, null, outcome);
    }
}
