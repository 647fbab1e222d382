package io.mesh4j.client.internal;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.CircuitOpenException;
import io.mesh4j.api.DiscoveryUnavailableException;
import io.mesh4j.api.MeshException;
import io.mesh4j.api.NoHealthyInstanceException;
import io.mesh4j.api.RateLimitedException;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.UnknownServiceException;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.api.internal.Checks;
import io.mesh4j.client.Fallback;
import io.mesh4j.client.HostHeader;
import io.mesh4j.client.Idempotent;
import io.mesh4j.client.UnknownHostPolicy;
import io.mesh4j.resilience.RetryPolicy;
import io.mesh4j.resilience.ServiceGuard;
import io.mesh4j.resilience.TimeoutConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.EventListener;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call through the mesh: resolve the host, then attempt after attempt (while the service's
 * {@link RetryPolicy} allows) pick an instance not tried yet from the snapshot read at the start of the call,
 * rewrite the URL to it, send it as an {@link Attempt}, and end the attempt, which tells everyone who learns from
 * it. A failed attempt's response is closed before the next one; the last attempt's response or failure is the
 * call's.
 *
 * <p>Nothing below the mesh resends an attempt: every attempt runs on the chain with OkHttp's
 * {@code retryOnConnectionFailure} off (which also stops OkHttp resending a 408). OkHttp's resend of a 503 with
 * {@code Retry-After: 0} can only be stopped by a network interceptor, which the clients the mesh builds carry
 * ({@link ResendGuard}); on any other client the first such resend is logged as a warning.
 *
 * <p>Every time is a reading of the client's one {@link Ticker}.
 *
 * <p>Thread-safe and lock-free: it holds only immutable configuration and the registry.
 */
public final class MeshCallHandler {

    private static final Logger log = LoggerFactory.getLogger(MeshCallHandler.class);

    private final ServiceRegistry registry;
    private final UnknownHostPolicy unknownHostPolicy;
    private final Telemetry telemetry;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final AtomicBoolean resendBelowReported = new AtomicBoolean();

    public MeshCallHandler(ServiceRegistry registry, UnknownHostPolicy unknownHostPolicy, Telemetry telemetry,
            Ticker ticker, Sleeper sleeper) {
        this.registry = requireNonNull(registry, "registry");
        this.unknownHostPolicy = requireNonNull(unknownHostPolicy, "unknownHostPolicy");
        this.telemetry = requireNonNull(telemetry, "telemetry");
        this.ticker = requireNonNull(ticker, "ticker");
        this.sleeper = requireNonNull(sleeper, "sleeper");
    }

    /** Waits between attempts; replaced in tests. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper SYSTEM = TimeUnit.NANOSECONDS::sleep;

        void sleep(long nanos) throws InterruptedException;
    }

    /**
     * Runs one call through the mesh, or passes it on when its host is no mesh service.
     *
     * @throws io.mesh4j.api.ClientClosedException for a mesh service after the client was closed
     */
    public Response handle(Interceptor.Chain original) throws IOException {
        Request request = original.request();
        HttpUrl url = request.url();
        ServiceState service = registry.find(url.host());
        if (service == null) {
            return passThrough(original, request, url.host());
        }
        Interceptor.Chain chain = original.getRetryOnConnectionFailure()
                ? original.withRetryOnConnectionFailure(false)
                : original;
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
        long start = ticker.read();
        Response response;
        try {
            response = attempts(chain, request, url, service, call);
        } catch (IOException | RuntimeException | Error e) {
            guard.onFailure(ticker.read() - start, e);
            throw e;
        }
        if (response.code() >= 500) {
            guard.onFailure(ticker.read() - start, new ServerErrorException(response.code()));
        } else {
            guard.onSuccess(ticker.read() - start);
        }
        return response;
    }

    private Response attempts(Interceptor.Chain chain, Request request, HttpUrl url, ServiceState service,
            CallScope call) throws IOException {
        long callStart = ticker.read();
        TimeoutConfig timeouts = service.settings().timeouts();
        long perTry = timeouts.perTryTimeout().toNanos();
        long deadline = timeouts.overallTimeout().isZero()
                ? Long.MAX_VALUE
                : callStart + timeouts.overallTimeout().toNanos();
        String deadlineHeader = timeouts.deadlineHeader();
        String host = service.settings().hostHeader() == HostHeader.SERVICE && request.header("Host") == null
                ? hostHeader(url)
                : null;
        RetryPolicy retry = service.retryPolicy();
        retry.onCall(callStart);
        Picker picker = service.picker();
        RequestBody body = request.body();
        boolean replayable = body == null || !body.isOneShot();
        boolean markedIdempotent = request.tag(Idempotent.class) != null;
        boolean hedged = service.hedgingPolicy().appliesTo(request.method(), markedIdempotent, replayable);
        List<ServiceInstance> tried = hedged ? new ArrayList<>() : List.of();
        AttemptTrail trail = null;
        int sent = 0;
        Endpoint endpoint = picker.pick(new CallContext(service, request));
        if (endpoint == null) {
            NoHealthyInstanceException failure =
                    new NoHealthyInstanceException(service.name(), service.knownInstances());
            call.end(null, failure, CallOutcome.NO_INSTANCE);
            throw failure;
        }
        for (int attempt = 1; ; attempt++) {
            long now = attempt == 1 ? callStart : ticker.read();
            long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - now;
            if (left <= 0) {
                InterruptedIOException failure = new InterruptedIOException("deadline of "
                        + Checks.format(timeouts.overallTimeout()) + " for service '" + service.name() + "' exceeded");
                call.end(null, failure, CallOutcome.TIMEOUT);
                throw trail == null ? failure : trail.failure(service.name(), null, failure);
            }
            AttemptKind kind = attempt == 1 ? AttemptKind.FIRST : AttemptKind.RETRY;
            AttemptResult result;
            if (hedged) {
                HedgeSender sender = new HedgeSender(service, request, url, host, call, tried, deadline,
                        deadlineHeader, sent);
                result = new HedgedRound(sender, service.hedgeClient(), chain, service.hedgingPolicy(), ticker,
                        perTry, deadline).run(endpoint, kind, picker);
                sent = sender.sent;
            } else {
                ServiceInstance instance = endpoint.instance();
                HttpUrl target = service.urlRewriter().rewrite(url, instance);
                Request.Builder builder = attemptRequest(request, target, host, deadlineHeader, left);
                AttemptScope scope = call.beforeAttempt(builder, instance, target, ++sent, kind);
                result = send(withTimeouts(chain, perTry, left), builder.build(),
                        new Attempt(service, endpoint, scope, now));
            }
            int status = result.response != null ? result.response.code() : 0;
            Endpoint next = null;
            if ((result.failure != null || retry.isRetryableStatus(status)) && attempt < retry.config().maxAttempts()) {
                if (!hedged) {
                    if (tried.isEmpty()) {
                        tried = new ArrayList<>(retry.config().maxAttempts());
                    }
                    tried.add(endpoint.instance());
                }
                next = picker.pick(new CallContext(service, request, sent + 1, tried));
            }
            if (next == null || tried.contains(next.instance())) {
                return finish(service.name(), call, result, trail, hedged ? null : endpoint.instance());
            }
            long retryAfter = status == 429 || status == 503 ? RetryAfter.nanos(result.response) : -1;
            long delay = retry.retryDelayNanos(request.method(), markedIdempotent, attempt, result.outcome, status,
                    retryAfter, replayable);
            if (delay == RetryPolicy.NO_RETRY
                    || (deadline != Long.MAX_VALUE && ticker.read() + delay >= deadline)) {
                return finish(service.name(), call, result, trail, hedged ? null : endpoint.instance());
            }
            if (!hedged) {
                if (trail == null) {
                    trail = new AttemptTrail();
                }
                trail.add(endpoint.instance(), result);
            }
            result.close();
            pause(delay, call);
            endpoint = next;
        }
    }

    /**
     * Handles a host discovery does not know: fails it, or passes it on, as the client is configured. When discovery
     * could not say because its registry did not answer, a failure that would only mislead (the host does not
     * resolve, or is unknown) becomes a {@link DiscoveryUnavailableException} naming discovery's own failure.
     */
    private Response passThrough(Interceptor.Chain chain, Request request, String host) throws IOException {
        if (unknownHostPolicy == UnknownHostPolicy.FAIL) {
            Throwable unavailable = registry.discoveryFailure(host);
            throw unavailable != null
                    ? new DiscoveryUnavailableException(host, unavailable)
                    : new UnknownServiceException(host);
        }
        try {
            return chain.proceed(request);
        } catch (UnknownHostException notResolved) {
            Throwable unavailable = registry.discoveryFailure(host);
            if (unavailable == null) {
                throw notResolved;
            }
            DiscoveryUnavailableException failure = new DiscoveryUnavailableException(host, unavailable);
            failure.addSuppressed(notResolved);
            throw failure;
        }
    }

    /**
     * The request sent to {@code target}: with {@code host} as its {@code Host} header when given, and the time left
     * in the deadline header when there is a deadline.
     */
    private static Request.Builder attemptRequest(Request request, HttpUrl target, @Nullable String host,
            @Nullable String deadlineHeader, long leftNanos) {
        Request.Builder builder = request.newBuilder().url(target);
        if (host != null) {
            builder.addHeader("Host", host);
        }
        if (deadlineHeader != null && leftNanos != Long.MAX_VALUE) {
            builder.header(deadlineHeader, Long.toString(Math.max(1, leftNanos / 1_000_000)));
        }
        return builder;
    }

    /** The logical host as a {@code Host} header: {@code orders}, or {@code orders:8080} for a port not the default. */
    static String hostHeader(HttpUrl url) {
        return url.port() == HttpUrl.defaultPort(url.scheme()) ? url.host() : url.host() + ':' + url.port();
    }

    /** Prepares and starts the attempts of one hedged round; counts what the call has sent. */
    private final class HedgeSender implements HedgedRound.AttemptSender {
        private final ServiceState service;
        private final Request request;
        private final HttpUrl url;
        @Nullable
        private final String host;
        private final CallScope call;
        private final List<ServiceInstance> tried;
        private final long deadline;
        @Nullable
        private final String deadlineHeader;
        int sent;

        HedgeSender(ServiceState service, Request request, HttpUrl url, @Nullable String host, CallScope call,
                List<ServiceInstance> tried, long deadline, @Nullable String deadlineHeader, int sent) {
            this.service = service;
            this.request = request;
            this.url = url;
            this.host = host;
            this.call = call;
            this.tried = tried;
            this.deadline = deadline;
            this.deadlineHeader = deadlineHeader;
            this.sent = sent;
        }

        @Override
        public HedgedRound.Prepared prepare(Endpoint endpoint, AttemptKind kind, long nowNanos) {
            ServiceInstance instance = endpoint.instance();
            long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - nowNanos;
            HttpUrl target = service.urlRewriter().rewrite(url, instance);
            Request.Builder builder = attemptRequest(request, target, host, deadlineHeader, left);
            AttemptScope scope = call.beforeAttempt(builder, instance, target, ++sent, kind);
            tried.add(instance);
            return new HedgedRound.Prepared(builder.build(), new Attempt(service, endpoint, scope, nowNanos));
        }

        @Override
        @Nullable
        public Endpoint pickUntried(Picker picker) {
            Endpoint endpoint = picker.pick(new CallContext(service, request, sent + 1, tried));
            return endpoint == null || tried.contains(endpoint.instance()) ? null : endpoint;
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

    /**
     * The chain one attempt runs on. With a per-try timeout, its connect, write and read timeouts are the smaller of
     * that and the time left; without one, the chain's own timeouts stay, each cut to the time left: a deadline only
     * ever shortens the client's timeouts. A timeout that stays as it is saves a copy of the chain.
     */
    private static Interceptor.Chain withTimeouts(Interceptor.Chain chain, long perTryNanos, long leftNanos) {
        if (perTryNanos == 0 && leftNanos == Long.MAX_VALUE) {
            return chain;
        }
        long nanos = perTryNanos == 0 ? leftNanos : Math.min(perTryNanos, leftNanos);
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, nanos / 1_000_000));
        boolean exact = perTryNanos != 0;
        Interceptor.Chain timed = chain;
        if (replaces(chain.connectTimeoutMillis(), millis, exact)) {
            timed = timed.withConnectTimeout(millis, TimeUnit.MILLISECONDS);
        }
        if (replaces(chain.writeTimeoutMillis(), millis, exact)) {
            timed = timed.withWriteTimeout(millis, TimeUnit.MILLISECONDS);
        }
        if (replaces(chain.readTimeoutMillis(), millis, exact)) {
            timed = timed.withReadTimeout(millis, TimeUnit.MILLISECONDS);
        }
        return timed;
    }

    /** Whether {@code millis} replaces a chain timeout of {@code current} (0 is none): always when exact, else when shorter. */
    private static boolean replaces(int current, int millis, boolean exact) {
        return exact ? current != millis : current == 0 || current > millis;
    }

    /**
     * Ends the call with its last attempt's result. A failure after earlier attempts becomes an
     * {@link io.mesh4j.api.AttemptsFailedException} naming them all; {@code instance} is the last attempt's, or
     * {@code null} for a hedged round.
     */
    private static Response finish(String service, CallScope call, AttemptResult result,
            @Nullable AttemptTrail trail, @Nullable ServiceInstance instance) throws IOException {
        if (result.response != null) {
            call.end(result.response, null, CallOutcome.ofStatus(result.response.code()));
            return result.response;
        }
        Throwable failure = result.failure;
        call.end(null, failure, CallOutcome.ofFailure(result.outcome));
        if (trail != null && !(failure instanceof Error)) {
            throw trail.failure(service, instance, failure);
        }
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

    /** Sends one attempt on {@code chain} and ends it. */
    private AttemptResult send(Interceptor.Chain chain, Request request, Attempt attempt) {
        Response response;
        try {
            response = chain.proceed(request);
        } catch (IOException | RuntimeException | Error e) {
            AttemptOutcome outcome = AttemptOutcomes.ofFailure(e, chain.call().isCanceled());
            attempt.end(null, e, outcome, ticker.read(), chain.call(), null);
            return new AttemptResult(null, e, outcome);
        }
        reportResendBelow(response, attempt);
        AttemptOutcome outcome = AttemptOutcomes.ofStatus(response.code());
        EventListener listener = chain.getEventListener();
        BodyEndListener bodyEnds = listener instanceof BodyEndListener ? (BodyEndListener) listener : null;
        return new AttemptResult(attempt.end(response, null, outcome, ticker.read(), chain.call(), bodyEnds), null,
                outcome);
    }

    /**
     * Warns, once per client, when OkHttp resent an attempt below the mesh after a 503 with {@code Retry-After: 0}:
     * possible only on a client the mesh did not build, which lacks the {@link ResendGuard}.
     */
    private void reportResendBelow(Response response, Attempt attempt) {
        Response prior = response.priorResponse();
        if (prior != null && prior.code() == 503 && resendBelowReported.compareAndSet(false, true)) {
            log.warn("OkHttp resent a request to service '{}' (instance {}) after a 503 with Retry-After: 0, below"
                    + " the mesh, which neither decided nor counted it. The OkHttp client the mesh interceptor was"
                    + " added to lacks the mesh's network guard: pass that client to MeshClient.Builder.okHttpClient"
                    + " and call through MeshClient.okHttpClient() instead. Reported once per MeshClient.",
                    attempt.instance().service(), attempt.instance().id());
        }
    }
}
