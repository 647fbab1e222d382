package io.mesh4j.client.internal;

import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.resilience.HedgingPolicy;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One attempt of a hedged call and its hedges: the attempt is sent asynchronously on the hedge client; whenever the
 * hedge delay passes without a good answer, a backup goes to an instance the call has not tried (budget allowing,
 * up to {@code maxHedges}). The first good answer (no failure, below 500, not a retryable status) is the round's;
 * the attempts still running are cancelled and reported as {@link AttemptOutcome#ABANDONED}, with the time waited
 * as their latency. When every attempt ends badly, the last bad result is the round's, for the retry loop to judge.
 *
 * <p>Answers arrive on the hedge client's threads, which only hand them over through a queue: every
 * {@link Attempt#end} and the choice of the winner happen on the thread running the call. A per-attempt flag settles the
 * race between an answer arriving and the attempt being abandoned: whoever sets it first owns the attempt, and a
 * response nobody will read is closed.
 *
 * <p>Not thread-safe: one round belongs to the thread running its call.
 */
final class HedgedRound {

    /** How often the waiting thread checks whether the logical call was cancelled. */
    private static final long CANCEL_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final AttemptSender sender;
    private final OkHttpClient client;
    private final Interceptor.Chain chain;
    private final HedgingPolicy hedging;
    private final Ticker ticker;
    private final long perTryNanos;
    private final long deadline;
    private final BlockingQueue<InFlight> answered = new LinkedBlockingQueue<>();
    private final List<InFlight> running = new ArrayList<>(2);

    /**
     * @param perTryNanos the longest an attempt may take before it counts as timed out, 0 for no limit
     * @param deadline when the whole call must end, a reading of {@code ticker}, or {@code Long.MAX_VALUE}
     */
    HedgedRound(AttemptSender sender, OkHttpClient client, Interceptor.Chain chain, HedgingPolicy hedging,
            Ticker ticker, long perTryNanos, long deadline) {
        this.sender = sender;
        this.client = client;
        this.chain = chain;
        this.hedging = hedging;
        this.ticker = ticker;
        this.perTryNanos = perTryNanos;
        this.deadline = deadline;
    }

    /** Builds each attempt's request and starts its {@link Attempt}; implemented by the call. */
    interface AttemptSender {

        /** Rewrites the request for {@code endpoint}'s instance and starts the attempt at {@code nowNanos}. */
        Prepared prepare(Endpoint endpoint, AttemptKind kind, long nowNanos);

        /** An untried instance for a hedge, or {@code null} when none is left. */
        @Nullable
        Endpoint pickUntried(Picker picker);

        /** Whether {@code status} is worth another attempt. */
        boolean retryableStatus(int status);
    }

    /** A request ready to send and its started attempt. */
    static final class Prepared {
        final Request request;
        final Attempt attempt;

        Prepared(Request request, Attempt attempt) {
            this.request = request;
            this.attempt = attempt;
        }
    }

    /** Runs the round from {@code first}; hedges are picked from {@code picker}. */
    AttemptResult run(Endpoint first, AttemptKind kind, Picker picker) {
        long start = ticker.read();
        send(first, kind, start);
        int hedgesLeft = hedging.config().maxHedges();
        long nextHedge = start + hedging.delayNanos(start);
        AttemptResult lastBad = null;
        while (true) {
            long now = ticker.read();
            if (chain.call().isCanceled()) {
                return abandonAll(lastBad, AttemptOutcome.CANCELLED, new IOException("Canceled"));
            }
            if (now >= deadline) {
                return abandonAll(lastBad, AttemptOutcome.TIMEOUT,
                        new InterruptedIOException("deadline exceeded while waiting for hedged attempts"));
            }
            lastBad = expireSlowAttempts(now, lastBad);
            if (running.isEmpty()) {
                return lastBad;
            }
            if (hedgesLeft > 0 && now >= nextHedge) {
                Endpoint backup = sender.pickUntried(picker);
                if (backup != null && hedging.tryAcquireHedge()) {
                    send(backup, AttemptKind.HEDGE, now);
                    hedgesLeft--;
                    nextHedge = now + hedging.delayNanos(now);
                } else {
                    hedgesLeft = 0;
                }
            }
            long wake = Math.min(deadline, now + CANCEL_CHECK_NANOS);
            if (hedgesLeft > 0) {
                wake = Math.min(wake, nextHedge);
            }
            for (InFlight attempt : running) {
                wake = Math.min(wake, attempt.expiresAt);
            }
            InFlight done;
            try {
                done = answered.poll(Math.max(0, wake - now), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return abandonAll(lastBad, AttemptOutcome.CANCELLED,
                        new InterruptedIOException("interrupted while waiting for hedged attempts"));
            }
            if (done == null || !running.remove(done)) {
                continue;
            }
            AttemptResult result = report(done);
            if (good(result)) {
                abandonAll(lastBad, AttemptOutcome.ABANDONED, null);
                return result;
            }
            close(lastBad);
            lastBad = result;
        }
    }

    private void send(Endpoint endpoint, AttemptKind kind, long now) {
        Prepared prepared = sender.prepare(endpoint, kind, now);
        long expiresAt = perTryNanos == 0 ? Long.MAX_VALUE : now + perTryNanos;
        InFlight attempt = new InFlight(prepared.attempt, client.newCall(prepared.request), expiresAt);
        running.add(attempt);
        attempt.call.enqueue(attempt);
    }

    /** Ends the attempts whose per-try time is up as timed out; returns the round's last bad result. */
    @Nullable
    private AttemptResult expireSlowAttempts(long now, @Nullable AttemptResult lastBad) {
        AttemptResult bad = lastBad;
        for (int i = running.size() - 1; i >= 0; i--) {
            InFlight attempt = running.get(i);
            if (now >= attempt.expiresAt && attempt.claim()) {
                running.remove(i);
                SocketTimeoutException timeout = new SocketTimeoutException(
                        "per-try timeout of " + TimeUnit.NANOSECONDS.toMillis(perTryNanos) + " ms to "
                                + attempt.attempt.instance().id());
                attempt.call.cancel();
                attempt.attempt.end(null, timeout, AttemptOutcome.TIMEOUT, now, attempt.call, null);
                close(bad);
                bad = new AttemptResult(null, timeout, AttemptOutcome.TIMEOUT);
            }
        }
        return bad;
    }

    /**
     * Stops waiting for the running attempts: each still unanswered is cancelled and reported with
     * {@code outcome}; each answered meanwhile is reported as it ended and its response closed. Returns the round's
     * result when it ends without a good answer: {@code failure} if given, else the last bad result.
     */
    @Nullable
    private AttemptResult abandonAll(@Nullable AttemptResult lastBad, AttemptOutcome outcome, @Nullable IOException failure) {
        long now = ticker.read();
        for (InFlight attempt : running) {
            if (attempt.claim()) {
                attempt.call.cancel();
                attempt.attempt.end(null, null, outcome, now, attempt.call, null);
            } else {
                close(report(attempt));
            }
        }
        running.clear();
        if (failure == null) {
            return lastBad;
        }
        close(lastBad);
        return new AttemptResult(null, failure, outcome);
    }

    private AttemptResult report(InFlight attempt) {
        Response response = attempt.response;
        AttemptOutcome outcome = response != null
                ? AttemptOutcomes.ofStatus(response.code())
                : AttemptOutcomes.ofFailure(attempt.failure, false);
        Response handedOn = attempt.attempt.end(response, attempt.failure, outcome, attempt.endNanos, attempt.call,
                null);
        return new AttemptResult(handedOn, attempt.failure, outcome);
    }

    private static void close(@Nullable AttemptResult result) {
        if (result != null) {
            result.close();
        }
    }

    /** Whether {@code result} ends the round: an answer below 500 that the retry policy would not retry. */
    private boolean good(AttemptResult result) {
        return result.response != null && result.response.code() < 500
                && !sender.retryableStatus(result.response.code());
    }

    /** One attempt on its way; OkHttp's callback for it. */
    private final class InFlight implements Callback {
        final Attempt attempt;
        final Call call;
        final long expiresAt;
        /** Set by whoever first owns the attempt's end: its answer, or the round abandoning it. */
        private final AtomicBoolean settled = new AtomicBoolean();
        @Nullable
        volatile Response response;
        @Nullable
        volatile IOException failure;
        volatile long endNanos;

        InFlight(Attempt attempt, Call call, long expiresAt) {
            this.attempt = attempt;
            this.call = call;
            this.expiresAt = expiresAt;
        }

        boolean claim() {
            return settled.compareAndSet(false, true);
        }

        @Override
        public void onFailure(Call call, IOException e) {
            endNanos = ticker.read();
            failure = e;
            if (claim()) {
                answered.add(this);
            }
        }

        @Override
        public void onResponse(Call call, Response answer) {
            endNanos = ticker.read();
            response = answer;
            if (claim()) {
                answered.add(this);
            } else {
                answer.close();
            }
        }
    }
}
