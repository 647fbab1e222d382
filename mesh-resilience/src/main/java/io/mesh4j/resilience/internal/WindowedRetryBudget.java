package io.mesh4j.resilience.internal;

import io.mesh4j.api.Ticker;
import io.mesh4j.resilience.RetryBudget;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link RetryBudget} over one-second buckets in a ring as long as the window. A bucket whose second has passed is
 * reset by the first thread to see it (a compare-and-set on its second); a count racing that reset may be lost,
 * which only makes the budget slightly more generous for a moment. A withdrawal reserves its retry before it checks
 * the balance and gives it back if the balance went below zero, so threads withdrawing at once never overdraw it
 * (they may, racing for the last retry, all give it back: the next attempt gets it).
 */
public final class WindowedRetryBudget implements RetryBudget {

    private static final long SECOND = 1_000_000_000L;

    private final int percent;
    private final long floor;
    private final Ticker ticker;
    private final Bucket[] buckets;

    public WindowedRetryBudget(int percent, int minPerSecond, int windowSeconds, Ticker ticker) {
        this.percent = percent;
        this.floor = (long) minPerSecond * windowSeconds;
        this.ticker = ticker;
        this.buckets = new Bucket[windowSeconds];
        for (int i = 0; i < windowSeconds; i++) {
            buckets[i] = new Bucket();
        }
    }

    @Override
    public void deposit(long nowNanos) {
        current(nowNanos).requests.increment();
    }

    @Override
    public boolean tryWithdraw() {
        // Reserve first, then look: threads withdrawing at once each see the others' reservations, so together they
        // never take more than the balance (a check before the increment let each of them take the last retry).
        Bucket bucket = current(ticker.read());
        bucket.retries.increment();
        if (balance() >= 0) {
            return true;
        }
        bucket.retries.decrement();
        return false;
    }

    @Override
    public long balance() {
        long second = Math.floorDiv(ticker.read(), SECOND);
        long requests = 0;
        long retries = 0;
        for (Bucket bucket : buckets) {
            if (second - bucket.second.get() < buckets.length) {
                requests += bucket.requests.sum();
                retries += bucket.retries.sum();
            }
        }
        return floor + requests * percent / 100 - retries;
    }

    private Bucket current(long nowNanos) {
        long second = Math.floorDiv(nowNanos, SECOND);
        Bucket bucket = buckets[(int) Math.floorMod(second, (long) buckets.length)];
        long seen = bucket.second.get();
        if (seen != second && bucket.second.compareAndSet(seen, second)) {
            bucket.requests.reset();
            bucket.retries.reset();
        }
        return bucket;
    }

    private static final class Bucket {
        final AtomicLong second = new AtomicLong(Long.MIN_VALUE / 2);
        final LongAdder requests = new LongAdder();
        final LongAdder retries = new LongAdder();
    }
}
