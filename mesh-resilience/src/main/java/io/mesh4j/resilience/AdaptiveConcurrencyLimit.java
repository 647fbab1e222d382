package io.mesh4j.resilience;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limiter behind {@link AdaptiveLimitConfig}: {@link #tryAcquire()} admits a call while fewer than
 * {@link #limit()} are in flight, and {@link #onComplete} adjusts the limit by the call's latency and outcome.
 *
 * <p>Thread-safe and lock-free: the limit is a double kept in an {@link AtomicLong} and updated by compare-and-set.
 */
public final class AdaptiveConcurrencyLimit {

    private final AdaptiveLimitConfig config;
    private final long slowNanos;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong limitBits;

    public AdaptiveConcurrencyLimit(AdaptiveLimitConfig config) {
        this.config = requireNonNull(config, "config");
        this.slowNanos = config.slowCallThreshold().toNanos();
        this.limitBits = new AtomicLong(Double.doubleToLongBits(config.initialLimit()));
    }

    /** Admits a call, or returns false when the limit is reached. An admitted call must be completed. */
    public boolean tryAcquire() {
        if (inFlight.incrementAndGet() > limit()) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * Completes an admitted call: a failed or slow one multiplies the limit by the backoff ratio; a good one, while
     * the limit was at least half used, adds {@code 1 / limit}, so a full window of good calls adds one.
     */
    public void onComplete(long nanos, boolean failed) {
        int busy = inFlight.getAndDecrement();
        boolean drop = failed || nanos > slowNanos;
        while (true) {
            long bits = limitBits.get();
            double limit = Double.longBitsToDouble(bits);
            double next;
            if (drop) {
                next = Math.max(config.minLimit(), limit * config.backoffRatio());
            } else if (busy * 2 >= limit) {
                next = Math.min(config.maxLimit(), limit + 1.0 / limit);
            } else {
                return;
            }
            if (next == limit || limitBits.compareAndSet(bits, Double.doubleToLongBits(next))) {
                return;
            }
        }
    }

    /** The current limit, rounded down. */
    public int limit() {
        return (int) Double.longBitsToDouble(limitBits.get());
    }

    /** Calls in flight now. */
    public int inFlight() {
        return inFlight.get();
    }
}
