package io.mesh4j.resilience;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.resilience.internal.LatencyHistogram;

/**
 * Decides for one service whether a call is hedged, how long it waits before each hedge, and whether the retry
 * budget allows one more, by a {@link HedgingConfig}. With a percentile delay it keeps the service's recent answer
 * latencies and recomputes the percentile at most every 100 ms, so asking for the delay costs two volatile reads.
 * Like {@link RetryPolicy}, it knows nothing of HTTP libraries.
 *
 * <p>Thread-safe and lock-free.
 */
public final class HedgingPolicy {

    private static final long REFRESH_NANOS = 100_000_000L;

    private final HedgingConfig config;
    private final RetryBudget budget;
    private final long fixedDelayNanos;
    private final long minDelayNanos;
    @Nullable
    private final LatencyHistogram latencies;
    private volatile long percentileDelayNanos = -1;
    private volatile long refreshedAtNanos;
    private volatile boolean refreshed;

    private HedgingPolicy(HedgingConfig config, RetryBudget budget) {
        this.config = config;
        this.budget = budget;
        this.fixedDelayNanos = config.delay().toNanos();
        this.minDelayNanos = config.minDelay().toNanos();
        this.latencies = config.delayPercentile() > 0
                ? new LatencyHistogram(config.percentileWindow().toNanos())
                : null;
    }

    /** A policy for {@code config} whose hedges draw on {@code budget}, usually the service's retry budget. */
    public static HedgingPolicy create(HedgingConfig config, RetryBudget budget) {
        return new HedgingPolicy(requireNonNull(config, "config"), requireNonNull(budget, "budget"));
    }

    public HedgingConfig config() {
        return config;
    }

    /**
     * Whether a call may be hedged: hedging is on, the method is idempotent or the caller marked the request so, and
     * its body can be sent more than once.
     *
     * @param method the HTTP method, upper case
     */
    public boolean appliesTo(String method, boolean markedIdempotent, boolean bodyReplayable) {
        return config.enabled() && bodyReplayable && (markedIdempotent || RetryPolicy.isIdempotent(method));
    }

    /** The wait before a hedge for a call going on at {@code nowNanos}. */
    public long delayNanos(long nowNanos) {
        if (latencies == null) {
            return fixedDelayNanos;
        }
        if (!refreshed || nowNanos - refreshedAtNanos >= REFRESH_NANOS) {
            long percentile = latencies.percentileNanos(config.delayPercentile(), nowNanos, HedgingConfig.MIN_SAMPLES);
            percentileDelayNanos = percentile < 0 ? -1 : Math.max(minDelayNanos, percentile);
            refreshedAtNanos = nowNanos;
            refreshed = true;
        }
        long delay = percentileDelayNanos;
        return delay < 0 ? fixedDelayNanos : delay;
    }

    /** Records how long a good answer took, for a percentile delay; does nothing for a fixed delay. */
    public void recordAnswer(long latencyNanos, long nowNanos) {
        if (latencies != null) {
            latencies.record(latencyNanos, nowNanos);
        }
    }

    /** Takes one hedge from the budget; false, recording nothing, when the budget is spent. */
    public boolean tryAcquireHedge() {
        return budget.tryWithdraw();
    }
}
