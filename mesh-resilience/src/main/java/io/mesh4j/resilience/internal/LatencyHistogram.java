package io.mesh4j.resilience.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies of the recent past, for percentiles: two halves of the window, each a log-linear histogram (eight
 * buckets per power of two of microseconds, so a percentile is off by at most 12.5%). Recording goes to the half
 * of the current time; the first thread to reach a new half clears it. A percentile reads both halves, so it covers
 * between half the window and the whole window.
 *
 * <p>Thread-safe and lock-free. A sample racing the clearing of its half may be lost, which only shifts a
 * percentile for a moment.
 */
public final class LatencyHistogram {

    private static final int SUB_BITS = 3;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    private static final int BUCKETS = (64 - SUB_BITS) * SUB_BUCKETS + SUB_BUCKETS;
    /** Nanoseconds to the histogram's unit of 1,024 ns, close enough to a microsecond. */
    private static final int UNIT_SHIFT = 10;

    private final long halfWindowNanos;
    private final Half[] halves = {new Half(), new Half()};

    public LatencyHistogram(long windowNanos) {
        if (windowNanos < 2) {
            throw new IllegalArgumentException("windowNanos: " + windowNanos + " (expected: >= 2)");
        }
        this.halfWindowNanos = windowNanos / 2;
    }

    /** Records one latency measured at {@code nowNanos}. */
    public void record(long latencyNanos, long nowNanos) {
        long epoch = Math.floorDiv(nowNanos, halfWindowNanos);
        Half half = halves[(int) (epoch & 1)];
        long seen = half.epoch.get();
        if (seen != epoch && half.epoch.compareAndSet(seen, epoch)) {
            half.clear();
        }
        half.counts.incrementAndGet(bucket(Math.max(0, latencyNanos) >>> UNIT_SHIFT));
        half.total.incrementAndGet();
    }

    /**
     * The {@code percentile} (0 to 100) of the latencies recorded in the window ending at {@code nowNanos}, as the
     * upper edge of its bucket, or -1 when fewer than {@code minSamples} were recorded (or, in a race with the
     * clearing of a half, the counts fell short of the total).
     */
    public long percentileNanos(double percentile, long nowNanos, int minSamples) {
        long epoch = Math.floorDiv(nowNanos, halfWindowNanos);
        long total = 0;
        boolean[] live = new boolean[2];
        for (int i = 0; i < 2; i++) {
            long age = epoch - halves[i].epoch.get();
            live[i] = age == 0 || age == 1;
            if (live[i]) {
                total += halves[i].total.get();
            }
        }
        if (total < minSamples || total == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(percentile / 100 * total);
        long seen = 0;
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            for (int i = 0; i < 2; i++) {
                if (live[i]) {
                    seen += halves[i].counts.get(bucket);
                }
            }
            if (seen >= Math.max(1, rank)) {
                return upperEdge(bucket) << UNIT_SHIFT;
            }
        }
        return -1;
    }

    static int bucket(long units) {
        if (units < SUB_BUCKETS) {
            return (int) units;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(units);
        int sub = (int) (units >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
        return (exponent - SUB_BITS + 1) * SUB_BUCKETS + sub;
    }

    /** The largest value, in units, that falls in {@code bucket}. */
    static long upperEdge(int bucket) {
        if (bucket < SUB_BUCKETS) {
            return bucket;
        }
        int exponent = bucket / SUB_BUCKETS + SUB_BITS - 1;
        long sub = bucket % SUB_BUCKETS;
        long width = 1L << (exponent - SUB_BITS);
        long lower = (SUB_BUCKETS + sub) * width;
        return lower + width - 1;
    }

    private static final class Half {
        final AtomicLong epoch = new AtomicLong(Long.MIN_VALUE);
        final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
        final AtomicLong total = new AtomicLong();

        void clear() {
            for (int i = 0; i < BUCKETS; i++) {
                counts.set(i, 0);
            }
            total.set(0);
        }
    }
}
