package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.resilience.HedgingPolicy;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One try of a call to one instance, from the moment it is sent to its {@link #end}: the one place that tells
 * everyone who learns from attempts how it went. At the end of the attempt (headers or failure) telemetry records
 * it and a good answer's latency feeds the route's hedging histogram. The instance's verdict (balancer feedback,
 * outlier ejection, per-instance breaker) is given at once for a failure or a server error, and for any other
 * answer when its body ends: read to the end or closed is a success, a body that breaks off (truncated, reset) is
 * a failure of the instance, so an instance that sends good headers and broken bodies is ejected like any other.
 * Every listener is called in a try/catch, so a failing listener never breaks a request.
 *
 * <p>How the end of a body is seen: the call that carries the attempt, on whichever client, has a
 * {@link BodyEndListener} of the attempt's own, which OkHttp's events tell. A network failure on a pooled connection
 * before any answer (the server had closed it while idle) is the connection's, not the instance's: the instance is
 * told {@link AttemptOutcome#CANCELLED}.
 *
 * <p>Threading: created and ended by whichever thread drives the call at the time ({@link CallRun}), one at a time.
 * The verdict of a response is given by whichever thread reads or closes it, exactly once.
 */
final class Attempt {

    private static final Logger log = LoggerFactory.getLogger(Attempt.class);

    private final ServiceState service;
    private final HedgingPolicy hedging;
    private final Endpoint endpoint;
    private final AttemptScope scope;
    private final long startNanos;
    /** Whether the attempt waits in a dispatcher's queue before it runs; see {@link #queued()}. */
    private boolean queued;
    /** When the attempt's call began to run: its start, or, for a queued attempt, when a thread took it. */
    private volatile long runningSinceNanos;
    private final Request request;
    private final int timeoutMillis;
    private final boolean exactTimeout;
    /** The listener of the call that carries the attempt, which reports the body's end. */
    private final BodyEndListener bodyEnds = new BodyEndListener(this);
    private volatile boolean ended;
    @Nullable
    private Response response;
    @Nullable
    private Throwable failure;
    private AttemptOutcome outcome = AttemptOutcome.ABANDONED;
    /** How the body ended when it ended before the attempt did (read by an interceptor); see {@link #bodyEnded}. */
    @Nullable
    private AttemptOutcome earlyBodyEnd;
    private long endNanos;
    /** 1 once the instance has its verdict; accessed through {@link #JUDGED}. */
    volatile int judged;

    /**
     * Starts an attempt to {@code endpoint} at {@code startNanos}, a reading of the client's ticker.
     *
     * @param hedging the hedging policy of the call's route, told how long good answers take
     * @param request the attempt's request, built here
     * @param timeoutMillis the attempt's connect, read and write timeout, {@link AttemptTimeouts#NONE} to keep the
     *     client's
     * @param exactTimeout whether it replaces the client's timeouts (a per-try timeout), or only shortens them
     * @param tagged whether the request carries this attempt as its {@code Attempt} tag, for the mesh interceptor of
     *     the client that sends it
     */
    Attempt(ServiceState service, HedgingPolicy hedging, Endpoint endpoint, AttemptScope scope, long startNanos,
            Request.Builder request, int timeoutMillis, boolean exactTimeout, boolean tagged) {
        this.service = service;
        this.hedging = hedging;
        this.endpoint = endpoint;
        this.scope = scope;
        this.startNanos = startNanos;
        this.runningSinceNanos = startNanos;
        this.timeoutMillis = timeoutMillis;
        this.exactTimeout = exactTimeout;
        if (tagged) {
            request.tag(Attempt.class, this);
        }
        this.request = request.build();
        try {
            endpoint.onAttemptStart();
        } catch (RuntimeException e) {
            log.warn("Balancer feedback failed for service '{}'", service.name(), e);
        }
    }

    Endpoint endpoint() {
        return endpoint;
    }

    ServiceInstance instance() {
        return endpoint.instance();
    }

    long startNanos() {
        return startNanos;
    }

    Request request() {
        return request;
    }

    /** {@code chain} with this attempt's timeouts. */
    Interceptor.Chain timed(Interceptor.Chain chain) {
        return AttemptTimeouts.apply(chain, timeoutMillis, exactTimeout);
    }

    /**
     * Marks this attempt as one that waits in a dispatcher's queue (an asynchronous attempt), before its call is
     * enqueued: its instance's latency is then counted from when a dispatcher thread takes it
     * ({@link #running(long)}), so that a client short of threads or CPU does not make its instances look slow to a
     * balancer that weighs latencies. The hedging histogram and telemetry keep the caller's view, from the start.
     */
    void queued() {
        queued = true;
    }

    /** Whether this attempt was {@linkplain #queued() queued}. */
    boolean isQueued() {
        return queued;
    }

    /** A dispatcher thread took this queued attempt's call at {@code nowNanos}, a reading of the client's ticker. */
    void running(long nowNanos) {
        runningSinceNanos = nowNanos;
    }

    /**
     * The listener that OkHttp's events about this attempt's call must reach ({@link BodyEndListener#watchOn}), before
     * the call sends the attempt: from then on, even an interceptor of the caller's client that reads the body before
     * the mesh sees the response gives this attempt its verdict.
     */
    BodyEndListener bodyEnds() {
        return bodyEnds;
    }

    /** The response once ended, or {@code null}. */
    @Nullable
    Response response() {
        return response;
    }

    /** The failure the attempt ended with, or {@code null}. */
    @Nullable
    Throwable failure() {
        return failure;
    }

    /** How the attempt ended. */
    AttemptOutcome outcome() {
        return outcome;
    }

    /** Closes the response, if any: for an attempt whose answer nobody will read. */
    void close() {
        if (response != null) {
            response.close();
        }
    }

    /**
     * Ends the attempt at {@code endNanos} with its response or failure (neither when it was abandoned or
     * cancelled) and keeps them as its result. A good answer that may carry a body gets its instance's verdict when
     * the body ends; anything else at once. Only the first call counts.
     */
    void end(@Nullable Response response, @Nullable Throwable failure, AttemptOutcome outcome, long endNanos) {
        if (ended) {
            return;
        }
        this.failure = failure;
        this.outcome = outcome;
        this.response = response;
        ended = true;
        this.endNanos = endNanos;
        if (outcome == AttemptOutcome.SUCCESS) {
            hedging.recordAnswer(endNanos - startNanos, endNanos);
        }
        try {
            scope.end(response, failure, outcome);
        } catch (RuntimeException e) {
            log.warn("Telemetry failed for an attempt to service '{}'", service.name(), e);
        }
        if (response != null && outcome == AttemptOutcome.SUCCESS && mayHaveBody(response)) {
            AttemptOutcome early = earlyBodyEnd;
            if (early != null) {
                bodyEnded(early);
            }
            return;
        }
        if (outcome == AttemptOutcome.NETWORK_FAILURE && bodyEnds.brokeOnPooledConnection()) {
            // The server closed the pooled connection while it sat idle: not the instance's failure. Counted as one,
            // a healthy instance would be penalized and, under a latency-aware balancer, its picks would go to its
            // rivals, the slowest among them too. Telemetry and the retry decision still see the network failure.
            bodyEnded(AttemptOutcome.CANCELLED);
            return;
        }
        bodyEnded(outcome);
    }

    /**
     * Gives the instance its verdict, once: how the attempt's response body ended, or the attempt itself. The
     * balancer gets the time the attempt ended (its headers), read already, rather than a new clock reading: its
     * latency is time to headers either way, and the body's end time would only move its time stamps by the time the
     * caller took to read.
     */
    void bodyEnded(AttemptOutcome outcome) {
        if (!ended) {
            // Only an interceptor between the mesh and the network reads a body before the attempt ends, on the
            // thread that then ends it: the verdict waits for the attempt's end and its times.
            if (earlyBodyEnd == null) {
                earlyBodyEnd = outcome;
            }
            return;
        }
        if (judged == 0 && JUDGED.compareAndSet(this, 0, 1)) {
            verdict(endNanos, endNanos - runningSinceNanos, outcome);
        }
    }

    /** Whether the response can carry body bytes that may yet break off. */
    private static boolean mayHaveBody(Response response) {
        int code = response.code();
        return !"HEAD".equals(response.request().method()) && code != 204 && code != 304 && code >= 200
                && response.body().contentLength() != 0;
    }

    private void verdict(long endNanos, long latencyNanos, AttemptOutcome outcome) {
        try {
            endpoint.onAttemptEnd(endNanos, latencyNanos, outcome);
        } catch (RuntimeException e) {
            log.warn("Balancer feedback failed for service '{}'", service.name(), e);
        }
        service.instanceOutcome(endpoint.instance(), outcome, latencyNanos);
    }

    private static final AtomicIntegerFieldUpdater<Attempt> JUDGED =
            AtomicIntegerFieldUpdater.newUpdater(Attempt.class, "judged");
}
