package io.mesh4j.client.internal;

import io.mesh4j.api.CircuitOpenException;
import io.mesh4j.api.MeshException;
import io.mesh4j.api.NoHealthyInstanceException;
import io.mesh4j.api.RateLimitedException;
import io.mesh4j.api.RequestTooLargeException;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.api.balancer.RequestContext;
import io.mesh4j.api.internal.Checks;
import io.mesh4j.client.Fallback;
import io.mesh4j.client.HostHeader;
import io.mesh4j.client.Idempotent;
import io.mesh4j.resilience.HedgingPolicy;
import io.mesh4j.resilience.RetryPolicy;
import io.mesh4j.resilience.ServiceGuard;
import io.mesh4j.resilience.TimeoutConfig;
import io.mesh4j.routing.Fault;
import io.mesh4j.routing.RoutedRequest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One logical call to a mesh service and every decision about it, whoever sends its attempts: admission by the
 * service's guard, the deadline, which instance each attempt goes to (never one already tried), the request each
 * attempt sends, whether a failed attempt is followed by another and after how long, and the call's one end. The
 * drivers only send: {@link #runSequentially} one attempt after another on the calling thread (the interceptor, and
 * synchronous calls that do not hedge), {@link AsyncAttempts} with callbacks and scheduled delays (asynchronous and
 * hedged calls).
 *
 * <p>It is also the {@link RoutedRequest} the service's routes match and the {@link RequestContext} the picker
 * reads, so routing and picking allocate nothing.
 *
 * <p>Not thread-safe: one driver runs it at a time, handing it from thread to thread with a happens-before edge
 * (the calling thread, or the lock of {@link AsyncAttempts}). Every time is a reading of the client's one
 * {@link Ticker}.
 */
final class CallRun implements RequestContext, RoutedRequest {

    private final ServiceState service;
    /** The caller's request, then (once routed) with the route's edits. */
    private Request request;
    @Nullable
    private String path;
    private final CallScope scope;
    private final Ticker ticker;
    private final long startNanos;
    private final long deadline;
    @Nullable
    private final String hostHeader;
    /** Whether the request has a {@code Host} header already, which {@link #hostHeader} then replaces. */
    private final boolean replacesHost;
    private final ServiceRoute route;
    private SubsetTarget target;
    private Picker picker;
    private final boolean hedged;
    private int sent;
    @Nullable
    private ServiceInstance firstTried;
    @Nullable
    private List<ServiceInstance> allTried;
    @Nullable
    private AttemptTrail trail;
    private boolean guardAdmitted;
    private boolean ended;
    /** Whether the balancer asked, during the last pick, that its attempt run until the instance answers. */
    private boolean pickedToMeasure;

    /**
     * Starts the call's telemetry and its clock, and routes it: the first of {@code routing}'s routes that takes the
     * request decides its subset, timeouts, retries, hedging, request edits and injected faults.
     *
     * @param routing the service's routes, read once for this call
     * @param callTimeoutNanos the caller's own limit for the whole call ({@code Call.timeout()}), 0 for none; the
     *     deadline is the nearer of it and the route's overall timeout
     * @param mayHedge whether the driver can hedge; the route's hedging policy decides whether this call does
     */
    CallRun(ServiceState service, ServiceRouting routing, Request request, Telemetry telemetry, Ticker ticker,
            long callTimeoutNanos, boolean mayHedge) {
        this.service = service;
        this.request = request;
        this.ticker = ticker;
        this.scope = telemetry.startCall(service, request);
        this.startNanos = ticker.read();
        this.route = routing.route(this);
        this.target = route.target(this);
        Request edited = route.edit(request);
        if (edited != request) {
            this.request = edited;
            this.path = null;
        }
        long overall = route.overallTimeoutNanos();
        long limit = overall == 0 ? callTimeoutNanos
                : callTimeoutNanos == 0 ? overall : Math.min(overall, callTimeoutNanos);
        this.deadline = limit == 0 ? Long.MAX_VALUE : startNanos + limit;
        String authority = route.authority();
        boolean hasHost = this.request.header("Host") != null;
        this.hostHeader = authority != null ? authority
                : service.settings().hostHeader() == HostHeader.SERVICE && !hasHost
                ? logicalHost(request.url())
                : null;
        this.replacesHost = hasHost;
        this.picker = target.picker();
        HedgingPolicy hedging = route.hedging();
        this.hedged = mayHedge && hedging.config().enabled()
                && hedging.appliesTo(request.method(), markedIdempotent(), replayable());
    }

    /** Whether the request body can be sent again: none, or not one-shot. */
    private boolean replayable() {
        RequestBody body = request.body();
        return body == null || !body.isOneShot();
    }

    /** Whether the caller marked the request safe to send more than once. */
    private boolean markedIdempotent() {
        return request.tag(Idempotent.class) != null;
    }

    ServiceState serviceState() {
        return service;
    }

    /** The route the call follows. */
    ServiceRoute route() {
        return route;
    }

    /** The request the call sends, with its route's edits. */
    Request request() {
        return request;
    }

    /** Whether this call sends backups while an attempt is running. */
    boolean hedged() {
        return hedged;
    }

    /** The hedging policy of the call's route. */
    HedgingPolicy hedgingPolicy() {
        return route.hedging();
    }

    /**
     * How long an injected fault delays the first attempt, 0 for no delay: drawn on each call, so a driver asks once
     * per call.
     */
    long drawFaultDelay() {
        Fault fault = route.fault();
        return fault != null && fault.delays(ThreadLocalRandom.current().nextLong()) ? fault.delay().toNanos() : 0;
    }

    /**
     * Checks the request against the client's {@code limits}, then asks the service's guard (rate limit,
     * concurrency limit, circuit breaker) to admit the call and starts the retry budget's count of it. Returns {@code null} when admitted; the service's fallback answer when its circuit
     * is open and it has one, or the route's injected abort, without asking the guard: the call has then ended.
     *
     * @throws MeshException a {@link RequestTooLargeException}, or the guard's refusal when there is no fallback; the
     *     call has ended
     */
    @Nullable
    Response admit(RequestLimits limits) throws MeshException {
        RequestTooLargeException tooLarge = limits.check(request.headers(), service.name());
        if (tooLarge != null) {
            ended = true;
            scope.end(null, tooLarge, CallOutcome.REQUEST_TOO_LARGE);
            throw tooLarge;
        }
        Fault fault = route.fault();
        if (fault != null && fault.aborts(ThreadLocalRandom.current().nextLong())) {
            ended = true;
            Response aborted = FaultAbort.response(request, fault.abortStatus(), route.name());
            scope.end(aborted, null, CallOutcome.ofStatus(fault.abortStatus()));
            return aborted;
        }
        ServiceGuard guard = service.guard();
        RetryPolicy retry = route.retry();
        if (guard.isActive()) {
            try {
                guard.admit();
            } catch (MeshException rejected) {
                ended = true;
                Fallback fallback = service.settings().fallback();
                if (fallback != null && rejected instanceof CircuitOpenException) {
                    Response answer = fallback.respond(request, (CircuitOpenException) rejected);
                    scope.end(answer, null, CallOutcome.CIRCUIT_OPEN);
                    return answer;
                }
                scope.end(null, rejected, rejected instanceof CircuitOpenException ? CallOutcome.CIRCUIT_OPEN
                        : rejected instanceof RateLimitedException ? CallOutcome.RATE_LIMITED
                        : CallOutcome.CONCURRENCY_LIMITED);
                throw rejected;
            }
            guardAdmitted = true;
        }
        retry.onCall(startNanos);
        return null;
    }

    /**
     * The first attempt's instance.
     *
     * @throws NoHealthyInstanceException when the picker has none; the call has then ended
     */
    Endpoint firstPick() throws NoHealthyInstanceException {
        pickedToMeasure = false;
        Endpoint endpoint = picker.pick(this);
        if (endpoint == null) {
            SubsetTarget fallback = route.fallback();
            if (fallback != null && fallback != target) {
                SubsetTarget routed = target;
                target = fallback;
                picker = fallback.picker();
                endpoint = picker.pick(this);
                if (endpoint == null) {
                    throw noInstance(routed);
                }
                return endpoint;
            }
            throw noInstance(target);
        }
        return endpoint;
    }

    /** Ends the call for want of an instance in {@code routed}, and says so naming its subset, if any. */
    private NoHealthyInstanceException noInstance(SubsetTarget routed) {
        String subset = routed.name();
        NoHealthyInstanceException failure = subset == null
                ? new NoHealthyInstanceException(service.name(), service.knownInstances())
                : new NoHealthyInstanceException(service.name(), subset, service.knownInstances(), routed.size());
        end(null, failure, CallOutcome.NO_INSTANCE);
        return failure;
    }

    /** An instance for a hedge that the call has not tried yet, or {@code null} when none is left. */
    @Nullable
    Endpoint pickUntried() {
        pickedToMeasure = false;
        Endpoint endpoint = picker.pick(this);
        return endpoint == null || tried(endpoint.instance()) ? null : endpoint;
    }

    /**
     * Whether the balancer asked, during the last pick, that the attempt it picked for run until its instance
     * answers ({@link RequestContext#measureToEnd()}).
     */
    boolean pickedToMeasure() {
        return pickedToMeasure;
    }

    /** Nanoseconds left before the deadline at {@code nowNanos}, {@code Long.MAX_VALUE} without a deadline. */
    long timeLeft(long nowNanos) {
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - nowNanos;
    }

    /** The deadline as a reading of the ticker, {@code Long.MAX_VALUE} for none. */
    long deadline() {
        return deadline;
    }

    /**
     * Starts an attempt to {@code endpoint} at {@code nowNanos}: the request rewritten to its instance, with the
     * logical {@code Host}, the time left in the deadline header and the trace context; its timeouts; its telemetry.
     *
     * @param tagged whether the request carries the attempt as its {@code Attempt} tag: attempts sent as calls of
     *     an OkHttp client, whose mesh interceptor then applies the attempt's timeouts and lets it pass
     * @param cutToDeadline whether the attempt's timeouts are cut to the time left, for drivers that have no timer
     *     of their own at the deadline
     */
    Attempt newAttempt(Endpoint endpoint, AttemptKind kind, long nowNanos, boolean tagged, boolean cutToDeadline) {
        ServiceInstance instance = endpoint.instance();
        long left = timeLeft(nowNanos);
        TimeoutConfig timeouts = route.timeouts();
        String deadlineHeader = timeouts.deadlineHeader();
        long perTryNanos = route.perTryTimeoutNanos();
        HttpUrl target = service.urlRewriter().rewrite(request.url(), instance);
        Request.Builder builder = request.newBuilder().url(target);
        if (hostHeader != null) {
            if (replacesHost) {
                builder.header("Host", hostHeader);
            } else {
                builder.addHeader("Host", hostHeader);
            }
        }
        if (deadlineHeader != null && left != Long.MAX_VALUE) {
            builder.header(deadlineHeader, Long.toString(Math.max(1, left / 1_000_000)));
        }
        sent++;
        if (firstTried == null) {
            firstTried = instance;
        } else {
            if (allTried == null) {
                allTried = new ArrayList<>(4);
                allTried.add(firstTried);
            }
            allTried.add(instance);
        }
        AttemptScope attemptScope = scope.beforeAttempt(builder, instance, target, sent, kind);
        return new Attempt(service, route.hedging(), endpoint, attemptScope, nowNanos, builder,
                AttemptTimeouts.millis(perTryNanos, cutToDeadline ? left : Long.MAX_VALUE), perTryNanos != 0, tagged);
    }

    /**
     * Ends {@code attempt} now with what its call gave: a response or a failure.
     *
     * @param call the OkHttp call that carried the attempt, asked whether a failure was its cancel
     */
    Attempt ended(Attempt attempt, @Nullable Response response, @Nullable Throwable failure, Call call) {
        long now = ticker.read();
        if (response != null) {
            attempt.end(response, null, AttemptOutcomes.ofStatus(response.code()), now);
        } else {
            attempt.end(null, failure, AttemptOutcomes.ofFailure(failure, call.isCanceled()), now);
        }
        return attempt;
    }

    /** Ends {@code attempt}, which was still running, with {@code outcome}: abandoned, timed out or cancelled. */
    void abandoned(Attempt attempt, AttemptOutcome outcome) {
        attempt.end(null, null, outcome, ticker.read());
    }

    /** Whether {@code result} ends a hedged call at once: an answer below 500 that the retry policy would not retry. */
    boolean isGoodAnswer(Attempt result) {
        return result.response() != null && result.response().code() < 500
                && !route.retry().isRetryableStatus(result.response().code());
    }

    /**
     * What follows {@code result}, the last attempt to end with no other running: {@code null} when it is the call's
     * answer, else the next attempt's instance and how long to wait before sending it. A retry goes to an instance
     * not tried yet, within the retry policy (status, method, replayable body, budget) and the deadline; a
     * {@code Retry-After} on a 429 or 503 is honoured. When it retries, {@code result} is recorded for the call's
     * error and its response closed.
     */
    @Nullable
    NextAttempt next(Attempt result) {
        int status = result.response() != null ? result.response().code() : 0;
        RetryPolicy retry = route.retry();
        if (sent >= retry.config().maxAttempts() || (result.failure() == null && !retry.isRetryableStatus(status))) {
            return null;
        }
        long retryAfter = status == 429 || status == 503 ? RetryAfter.nanos(result.response()) : -1;
        long delay = retry.delayIfAllowed(request.method(), markedIdempotent(), sent, result.outcome(), status,
                retryAfter, replayable());
        if (delay == RetryPolicy.NO_RETRY || (deadline != Long.MAX_VALUE && ticker.read() + delay >= deadline)) {
            return null;
        }
        // Picked only for a retry the policy allows: a pick moves the balancer's round-robin position.
        pickedToMeasure = false;
        Endpoint next = picker.pick(this);
        if (next == null || tried(next.instance()) || !retry.withdraw(result.outcome())) {
            return null;
        }
        setAside(result);
        return new NextAttempt(next, delay);
    }

    /**
     * Records {@code attempt}, which ended badly and whose result will not be the call's, so that the call's error
     * names it, and closes its response.
     */
    void setAside(Attempt attempt) {
        if (trail == null) {
            trail = new AttemptTrail();
        }
        trail.add(attempt);
        attempt.close();
    }

    /** The instance and delay of the attempt that follows a failed one. */
    static final class NextAttempt {
        final Endpoint endpoint;
        final long delayNanos;

        NextAttempt(Endpoint endpoint, long delayNanos) {
            this.endpoint = endpoint;
            this.delayNanos = delayNanos;
        }
    }

    /**
     * Ends the call with its last attempt's result: the response to hand on, or the failure to throw. A failure
     * after earlier attempts becomes an {@link io.mesh4j.api.AttemptsFailedException} naming them all.
     */
    Response finish(Attempt result) throws IOException {
        if (result.response() != null) {
            end(result.response(), null, CallOutcome.ofStatus(result.response().code()));
            return result.response();
        }
        Throwable failure = result.failure();
        end(null, failure, CallOutcome.ofFailure(result.outcome()));
        if (trail != null && !(failure instanceof Error)) {
            throw trail.failure(service.name(), result, failure);
        }
        if (failure instanceof IOException) {
            throw (IOException) failure;
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        throw (Error) failure;
    }

    /**
     * Ends the call with a failure of the call itself, not of an attempt (deadline passed, cancelled) and returns
     * what to throw: {@code failure}, or after earlier attempts an error naming them too.
     */
    IOException fail(IOException failure, CallOutcome outcome) {
        end(null, failure, outcome);
        return trail == null ? failure : trail.failure(service.name(), null, failure);
    }

    /** The failure of a call whose deadline passed. */
    InterruptedIOException deadlineExceeded() {
        return new InterruptedIOException("deadline of " + Checks.format(Duration.ofNanos(deadline - startNanos))
                + " for service '" + service.name() + "' exceeded");
    }

    private void end(@Nullable Response response, @Nullable Throwable failure, CallOutcome outcome) {
        if (ended) {
            return;
        }
        ended = true;
        scope.end(response, failure, outcome);
        if (guardAdmitted) {
            ServiceGuard guard = service.guard();
            long took = ticker.read() - startNanos;
            if (failure != null) {
                guard.onFailure(took, failure);
            } else if (response != null && response.code() >= 500) {
                guard.onFailure(took, new ServerErrorException(response.code()));
            } else {
                guard.onSuccess(took);
            }
        }
    }

    /** The logical host as a {@code Host} header: {@code orders}, or {@code orders:8080} for a port not the default. */
    static String logicalHost(HttpUrl url) {
        return url.port() == HttpUrl.defaultPort(url.scheme()) ? url.host() : url.host() + ':' + url.port();
    }

    private boolean tried(ServiceInstance instance) {
        return allTried != null ? allTried.contains(instance) : instance.equals(firstTried);
    }

    /**
     * Sends attempt after attempt on the calling thread until one answers or the call may not go on; waits between
     * them (backoff, {@code Retry-After}) on the calling thread too, through the sender, and sends nothing more once
     * the call was cancelled during a wait.
     */
    <T> Response runSequentially(AttemptSender<T> sender, T transport) throws IOException {
        Endpoint endpoint = firstPick();
        long faultDelayNanos = drawFaultDelay();
        if (faultDelayNanos > 0) {
            long left = timeLeft(ticker.read());
            wait(sender, transport, Math.min(faultDelayNanos, Math.max(0, left)));
            if (faultDelayNanos >= left) {
                throw fail(deadlineExceeded(), CallOutcome.TIMEOUT);
            }
        }
        AttemptKind kind = AttemptKind.FIRST;
        while (true) {
            long now = sent == 0 ? startNanos : ticker.read();
            if (timeLeft(now) <= 0) {
                throw fail(deadlineExceeded(), CallOutcome.TIMEOUT);
            }
            Attempt result = sender.send(transport, newAttempt(endpoint, kind, now, sender.tagsAttempts(), true),
                    this);
            NextAttempt next = next(result);
            if (next == null) {
                if (result.failure() instanceof InterruptedIOException && timeLeft(ticker.read()) <= 0) {
                    // The attempt's timeouts were cut to the deadline: the call ran out of time, say so.
                    IOException failure = deadlineExceeded();
                    failure.addSuppressed(result.failure());
                    if (trail != null) {
                        trail.add(result);
                    }
                    result.close();
                    throw fail(failure, CallOutcome.TIMEOUT);
                }
                return finish(result);
            }
            wait(sender, transport, next.delayNanos);
            endpoint = next.endpoint;
            kind = AttemptKind.RETRY;
        }
    }

    /**
     * Waits {@code nanos} on the calling thread; an interrupt ends the call, and so does a cancel of the call during
     * the wait, which the sender may cut short.
     */
    private <T> void wait(AttemptSender<T> sender, T transport, long nanos) throws IOException {
        if (nanos <= 0) {
            return;
        }
        try {
            sender.sleep(transport, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(new InterruptedIOException("interrupted while waiting to send"), CallOutcome.CANCELLED);
        }
        if (sender.canceled(transport)) {
            throw fail(new IOException("Canceled"), CallOutcome.CANCELLED);
        }
    }

    /** Waits between sequential attempts of a call that runs through the mesh interceptor; replaced in tests. */
    @FunctionalInterface
    interface Waiter {
        /** Waits until {@code call} is cancelled, or at most {@code nanos}. */
        Waiter UNTIL_CANCELED = CancelWait::await;

        void await(Call call, long nanos) throws InterruptedException;
    }

    /**
     * Sends one attempt over a transport of type {@code T} and ends it, for {@link #runSequentially}. The transport
     * is passed along rather than held, so a long-lived sender serves every call without an object per call.
     */
    interface AttemptSender<T> {
        /** Sends {@code attempt}'s request and ends the attempt with {@link CallRun#ended}. */
        Attempt send(T transport, Attempt attempt, CallRun run);

        /**
         * Waits {@code nanos} on the calling thread before the next attempt of the call {@code transport} carries;
         * may return early once that call is cancelled.
         */
        void sleep(T transport, long nanos) throws InterruptedException;

        /** Whether the call {@code transport} carries was cancelled, so that no attempt may follow. */
        boolean canceled(T transport);

        /** Whether the attempt's request must carry its {@link Attempt} as a tag, for the mesh interceptor. */
        boolean tagsAttempts();
    }

    // RequestContext, read by the service's picker

    @Override
    public String service() {
        return service.name();
    }

    @Override
    public String method() {
        return request.method();
    }

    @Override
    public String path() {
        String encoded = path;
        if (encoded == null) {
            encoded = request.url().encodedPath();
            path = encoded;
        }
        return encoded;
    }

    @Override
    @Nullable
    public String queryParameter(String name) {
        return request.url().queryParameter(name);
    }

    @Override
    @Nullable
    public String hashKey() {
        return HashKeys.of(service.settings(), request);
    }

    @Override
    @Nullable
    public String header(String name) {
        return request.header(name);
    }

    @Override
    public int attempt() {
        return sent + 1;
    }

    @Override
    public void measureToEnd() {
        pickedToMeasure = true;
    }

    @Override
    public List<ServiceInstance> triedInstances() {
        return allTried != null ? allTried : firstTried != null ? List.of(firstTried) : List.of();
    }

    /** What a circuit breaker records for a 5xx answer. */
    private static final class ServerErrorException extends IOException {
        private static final long serialVersionUID = 1L;

        ServerErrorException(int code) {
            super("HTTP " + code, null);
        }
    }

    @Override
    public String toString() {
        return "CallRun{" + request.method() + ' ' + UrlRedaction.redact(request.url()) + ", sent=" + sent + '}';
    }
}
