package io.mesh4j.client.internal;

import io.mesh4j.api.ClientClosedException;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.resilience.HedgingPolicy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the attempts of one {@link CallRun} as asynchronous calls of the attempt client, so no thread waits for them:
 * each attempt is enqueued on that client's dispatcher under its instance's own host (so its per-host limit applies
 * per instance), and every wait is a task on the mesh's scheduler: the backoff before a retry, the hedge delay after
 * which a backup goes to an instance not tried yet (budget allowing, up to {@code maxHedges} per attempt), and the
 * call's deadline, which cancels the attempts still running. When a hedged call's attempt answers well (below 500,
 * not a status to retry), the call ends with it and the attempts still running lose. When the service's balancer
 * weighs latencies, the losers are left to finish (within their per-try timeout and the call's deadline, which bound
 * every attempt) before they are ended as {@link AttemptOutcome#ABANDONED} and their answers closed, so that it learns
 * how long they really took: cancelled at once, a loser would report only the time it had waited, about the hedge
 * delay, and a slow instance would look nearly as fast as the others, and be sent more first attempts that needed a
 * hedge. For any other balancer they are cancelled and ended at once: running on would only hold a connection and a
 * dispatcher slot for each (under round robin, which sends the slow instance its share whatever it learns, that
 * tripled the p99 in {@code HedgingBenchmark}). A first attempt that a caller's thread is blocked in
 * ({@link #runFirstHere}) is cancelled whatever the balancer. Cancelling the call cancels them. A bad answer waits
 * for the attempts still running, and the last bad one goes to the retry decision.
 *
 * <p>The call ends exactly once, through its {@link CallEnd}: on the OkHttp thread of the attempt that ended it, or,
 * for an end that a timer or {@link #cancel()} caused, on the given executor (never on the scheduler's one thread,
 * which a slow callback would hold up for every call).
 *
 * <p>Thread-safe: answers, timers and cancellation arrive on different threads. Each takes this object's monitor,
 * which only this call's own events contend for, and only to change state; OkHttp and the caller are called after
 * it is released.
 */
final class AsyncAttempts {

    private static final Logger log = LoggerFactory.getLogger(AsyncAttempts.class);

    /** Receives the end of the call, once. */
    interface CallEnd {
        void answered(Response response);

        void failed(IOException failure);
    }

    private final CallRun run;
    private final OkHttpClient client;
    private final ScheduledExecutorService scheduler;
    private final Executor endExecutor;
    private final List<EventListener> listeners;
    private final HedgingPolicy hedging;
    private final Ticker ticker;
    private final IdleConnectionFlush idleConnections;
    private final CallEnd callEnd;

    private final List<InFlight> running = new ArrayList<>(2);
    /** Attempts still running after the call ended with another's answer; made on the first such call. */
    @Nullable
    private List<InFlight> losers;
    @Nullable
    private Attempt lastBad;
    private boolean done;
    private int hedgesLeft;
    @Nullable
    private ScheduledFuture<?> waiting;
    @Nullable
    private ScheduledFuture<?> deadlineTimer;

    /**
     * @param client the client that sends the attempts; its mesh interceptor lets the tagged attempts pass
     * @param endExecutor where an end caused by a timer or a cancel is delivered
     * @param listeners the logical call's own event listeners, added to each attempt's call
     */
    AsyncAttempts(CallRun run, OkHttpClient client, ScheduledExecutorService scheduler, Executor endExecutor,
            List<EventListener> listeners, Ticker ticker, IdleConnectionFlush idleConnections, CallEnd callEnd) {
        this.run = run;
        this.client = client;
        this.scheduler = scheduler;
        this.endExecutor = endExecutor;
        this.listeners = listeners;
        this.hedging = run.hedgingPolicy();
        this.ticker = ticker;
        this.idleConnections = idleConnections;
        this.callEnd = callEnd;
    }

    /** Sends the first attempt to {@code first}, after the route's injected delay if any, and arms the deadline. */
    void start(Endpoint first) {
        InFlight attempt = launchFirst(first, false);
        if (attempt != null) {
            attempt.call.enqueue(attempt);
        }
    }

    /**
     * For a caller that waits for the call's end: sends the first attempt to {@code first} on the calling thread and
     * returns once it has ended, while hedges, retries and timers go on asynchronously and the call's end still
     * arrives through its {@link CallEnd}. That saves most calls, which never hedge, the hand-off to a dispatcher
     * thread and back. The calling thread must be free to return a hedge's answer, so this attempt is cancelled
     * when it loses, whatever the balancer, and reports the time it waited as {@link AttemptOutcome#ABANDONED}: a
     * lower bound of its instance's latency. When the balancer asked to measure the picked instance
     * ({@link CallRun#pickedToMeasure()}: a probe, or an instance never measured) and wants its losers to run on, a
     * lower bound will not do, and the attempt is sent as {@link #start} sends it; so it is after an injected delay.
     */
    void runFirstHere(Endpoint first) {
        if (run.pickedToMeasure() && run.serviceState().balancerWeighsLatency()) {
            start(first);
            return;
        }
        InFlight attempt = launchFirst(first, true);
        if (attempt == null) {
            return;
        }
        Response response;
        try {
            response = attempt.call.execute();
        } catch (IOException failure) {
            attemptEnded(attempt, null, failure);
            return;
        } catch (RuntimeException e) {
            attemptEnded(attempt, null, new IOException("attempt of a call to service '" + run.service()
                    + "' failed", e));
            return;
        }
        attemptEnded(attempt, response, null);
    }

    /**
     * Arms the deadline and starts the first attempt, for the caller to send; {@code null} when there is none to send
     * now: the route's injected delay comes first (the attempt is then sent from the scheduler), the call was
     * cancelled before it began, or the client has closed (the call has then ended).
     */
    @Nullable
    private InFlight launchFirst(Endpoint first, boolean onCallingThread) {
        long faultDelay = run.drawFaultDelay();
        InFlight attempt = null;
        boolean closed;
        synchronized (this) {
            if (done) {
                return null;
            }
            long now = ticker.read();
            closed = !armDeadline(now);
            if (!closed && faultDelay > 0) {
                waiting = schedule(() -> launchDue(first, AttemptKind.FIRST), faultDelay);
                if (waiting == null) {
                    finishing();
                    closed = true;
                }
            } else if (!closed) {
                attempt = launch(first, AttemptKind.FIRST, now, onCallingThread);
            }
        }
        if (closed) {
            endLater(run.fail(new ClientClosedException(run.service()), CallOutcome.CANCELLED));
        }
        return attempt;
    }

    /**
     * Arms the timer at the call's deadline, if it has one (holding the monitor). Returns false, with the call marked
     * done, when the client has closed.
     */
    private boolean armDeadline(long now) {
        long left = run.timeLeft(now);
        if (left == Long.MAX_VALUE) {
            return true;
        }
        deadlineTimer = schedule(this::deadlinePassed, left);
        if (deadlineTimer == null) {
            done = true;
            return false;
        }
        return true;
    }

    /**
     * Cancels the call: its running attempts are cancelled, and it ends with a failure. Once it has ended, cancels
     * only the losers of a hedge still running.
     */
    void cancel() {
        List<InFlight> stopped;
        boolean endedBefore;
        synchronized (this) {
            endedBefore = done;
            stopped = endedBefore ? stopLosers() : stop(AttemptOutcome.CANCELLED);
        }
        cancelCalls(stopped);
        if (!endedBefore) {
            endLater(run.fail(new IOException("Canceled"), CallOutcome.CANCELLED));
        }
    }

    /**
     * Starts an attempt (holding the monitor); the caller enqueues its call after releasing it, or, when
     * {@code onCallingThread}, executes it.
     */
    private InFlight launch(Endpoint endpoint, AttemptKind kind, long now, boolean onCallingThread) {
        Attempt attempt = run.newAttempt(endpoint, kind, now, true, false);
        if (!onCallingThread) {
            attempt.queued();
        }
        Call call = run.serviceState().attemptClient(client).newCall(attempt.request());
        for (EventListener listener : listeners) {
            call.addEventListener(listener);
        }
        BodyEndListener.watchOn(call, attempt);
        InFlight inFlight = new InFlight(attempt, call, onCallingThread);
        running.add(inFlight);
        if (kind != AttemptKind.HEDGE) {
            hedgesLeft = run.hedged() ? hedging.config().maxHedges() : 0;
        }
        if (hedgesLeft > 0) {
            waiting = schedule(this::hedgeDue, hedging.delayNanos(now));
        }
        return inFlight;
    }

    /** An attempt's call ended with {@code response} or {@code failure}. */
    private void attemptEnded(InFlight ended, @Nullable Response response, @Nullable IOException failure) {
        List<InFlight> cancelled = List.of();
        if (failure != null) {
            idleConnections.afterFailure(run.serviceState().attemptClient(client).connectionPool(),
                    AttemptOutcomes.ofFailure(failure, ended.call.isCanceled()), failure);
        }
        InFlight next = null;
        Attempt answer = null;
        boolean closedMeanwhile = false;
        synchronized (this) {
            if (done || !running.remove(ended)) {
                if (losers != null && losers.remove(ended)) {
                    run.abandoned(ended.attempt, AttemptOutcome.ABANDONED);
                }
                if (response != null) {
                    response.close();
                }
                return;
            }
            Attempt result = run.ended(ended.attempt, response, failure, ended.call);
            if (!running.isEmpty() && !run.isGoodAnswer(result)) {
                setAsideLastBad();
                lastBad = result;
                return;
            }
            if (!running.isEmpty()) {
                if (run.serviceState().balancerWeighsLatency()) {
                    cancelled = stopOnCallingThread();
                    leaveLosersRunning();
                } else {
                    cancelled = stop(AttemptOutcome.ABANDONED);
                }
                answer = result;
            } else {
                cancelWaiting();
                setAsideLastBad();
                CallRun.NextAttempt retry = run.next(result);
                if (retry == null) {
                    answer = result;
                    finishing();
                } else if (retry.delayNanos <= 0) {
                    next = launch(retry.endpoint, AttemptKind.RETRY, ticker.read(), false);
                } else {
                    waiting = schedule(() -> launchDue(retry.endpoint, AttemptKind.RETRY), retry.delayNanos);
                    if (waiting == null) {
                        finishing();
                        closedMeanwhile = true;
                    }
                }
            }
        }
        if (closedMeanwhile) {
            deliver(run.fail(new ClientClosedException(run.service()), CallOutcome.CANCELLED));
            return;
        }
        cancelCalls(cancelled);
        if (next != null) {
            next.call.enqueue(next);
        }
        if (answer != null) {
            end(answer);
        }
    }

    private void hedgeDue() {
        InFlight hedge;
        synchronized (this) {
            waiting = null;
            if (done || running.isEmpty() || hedgesLeft <= 0) {
                return;
            }
            Endpoint backup = run.pickUntried();
            if (backup == null || !hedging.tryAcquireHedge()) {
                hedgesLeft = 0;
                return;
            }
            hedgesLeft--;
            hedge = launch(backup, AttemptKind.HEDGE, ticker.read(), false);
        }
        hedge.call.enqueue(hedge);
    }

    private void launchDue(Endpoint endpoint, AttemptKind kind) {
        InFlight attempt;
        synchronized (this) {
            waiting = null;
            if (done) {
                return;
            }
            attempt = launch(endpoint, kind, ticker.read(), false);
        }
        attempt.call.enqueue(attempt);
    }

    private void deadlinePassed() {
        List<InFlight> stopped;
        synchronized (this) {
            deadlineTimer = null;
            if (done) {
                return;
            }
            stopped = stop(AttemptOutcome.TIMEOUT);
        }
        cancelCalls(stopped);
        endLater(run.fail(run.deadlineExceeded(), CallOutcome.TIMEOUT));
    }

    /**
     * Marks the call done (holding the monitor): ends the running attempts with {@code outcome}, cancels the timers
     * and drops the last bad result. Returns the attempts whose calls the caller cancels after releasing it.
     */
    private List<InFlight> stop(AttemptOutcome outcome) {
        finishing();
        setAsideLastBad();
        List<InFlight> stopped = new ArrayList<>(running);
        running.clear();
        for (InFlight attempt : stopped) {
            run.abandoned(attempt.attempt, outcome);
        }
        return stopped;
    }

    /**
     * Marks the call done (holding the monitor) with the answer of one attempt while others still run: they go on,
     * as losers, until they end by themselves.
     */
    private void leaveLosersRunning() {
        finishing();
        setAsideLastBad();
        if (losers == null) {
            losers = new ArrayList<>(running.size());
        }
        losers.addAll(running);
        running.clear();
    }

    /**
     * Ends the running attempt that a caller's thread is blocked in, if any, as abandoned (holding the monitor): that
     * thread has to return the winner's answer. Returns it for its call's cancel.
     */
    private List<InFlight> stopOnCallingThread() {
        for (InFlight attempt : running) {
            if (attempt.onCallingThread) {
                running.remove(attempt);
                run.abandoned(attempt.attempt, AttemptOutcome.ABANDONED);
                return List.of(attempt);
            }
        }
        return List.of();
    }

    /** Ends the losers still running as abandoned (holding the monitor); returns them for their calls' cancel. */
    private List<InFlight> stopLosers() {
        if (losers == null || losers.isEmpty()) {
            return List.of();
        }
        List<InFlight> stopped = new ArrayList<>(losers);
        losers.clear();
        for (InFlight attempt : stopped) {
            run.abandoned(attempt.attempt, AttemptOutcome.ABANDONED);
        }
        return stopped;
    }

    private void finishing() {
        done = true;
        cancelWaiting();
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
            deadlineTimer = null;
        }
    }

    private void cancelWaiting() {
        if (waiting != null) {
            waiting.cancel(false);
            waiting = null;
        }
    }

    /** Runs {@code task} on the client's scheduler after {@code delayNanos}; {@code null} when the client closed. */
    @Nullable
    private ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        try {
            return scheduler.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    log.error("A timer of a call to service '{}' failed", run.service(), e);
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            return null;
        }
    }

    private static void cancelCalls(List<InFlight> attempts) {
        for (InFlight attempt : attempts) {
            attempt.call.cancel();
        }
    }

    /** Records the last bad answer for the call's error and closes it: a later attempt's result replaces it. */
    private void setAsideLastBad() {
        if (lastBad != null) {
            run.setAside(lastBad);
            lastBad = null;
        }
    }

    /** Ends the call with its last attempt's result, on this thread. Only one thread gets here, once. */
    private void end(Attempt result) {
        Response response;
        try {
            response = run.finish(result);
        } catch (IOException failure) {
            deliver(failure);
            return;
        } catch (RuntimeException | Error e) {
            deliver(new IOException("call to service '" + run.service() + "' failed", e));
            return;
        }
        try {
            callEnd.answered(response);
        } catch (RuntimeException e) {
            log.warn("The callback of a call to service '{}' failed", run.service(), e);
        }
    }

    /** Delivers a failure that a timer or a cancel caused, away from the scheduler's thread. */
    private void endLater(IOException failure) {
        try {
            endExecutor.execute(() -> deliver(failure));
        } catch (RejectedExecutionException shutDown) {
            deliver(failure);
        }
    }

    private void deliver(IOException failure) {
        try {
            callEnd.failed(failure);
        } catch (RuntimeException e) {
            log.warn("The callback of a call to service '{}' failed", run.service(), e);
        }
    }

    /** One attempt on its way; OkHttp's callback for its call. */
    private final class InFlight implements Callback {
        final Attempt attempt;
        final Call call;
        /** Whether a caller's thread is blocked in this attempt's call, so that it cannot run on as a loser. */
        final boolean onCallingThread;

        InFlight(Attempt attempt, Call call, boolean onCallingThread) {
            this.attempt = attempt;
            this.call = call;
            this.onCallingThread = onCallingThread;
        }

        @Override
        public void onFailure(Call call, IOException e) {
            attemptEnded(this, null, e);
        }

        @Override
        public void onResponse(Call call, Response response) {
            attemptEnded(this, response, null);
        }
    }
}
