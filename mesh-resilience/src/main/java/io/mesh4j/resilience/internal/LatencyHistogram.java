package io.mesh4j.resilience.internal;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Latencies of the recent past, for percentiles: two halves of the window, each a log-linear histogram (eight
 * buckets per power of two of microseconds, so a percentile is off by at most 12.5%). Recording goes to the half
 * of the current time; the first thread to reach a new half swaps in a fresh, empty one (4 KB, once per half
 * window). A percentile reads both halves, so it covers between half the window and the whole window.
 *
 * <p>Thread-safe and lock-free; no sample is lost to a race, as a half is only replaced once its time has passed.
 */
public final class LatencyHistogram {

    private static final int SUB_BITS = 3;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    private static final int BUCKETS = (64 - SUB_BITS) * SUB_BUCKETS + SUB_BUCKETS;
    /** Nanoseconds to the histogram's unit of 1,024 ns, close enough to a microsecond. */
    private static final int UNIT_SHIFT = 10;

    private final long halfWindowNanos;
    private final AtomicReferenceArray<Half> halves = new AtomicReferenceArray<>(
            new Half[] {new Half(Long.MIN_VALUE), new Half(Long.MIN_VALUE)});

    public LatencyHistogram(long windowNanos) {
        if (windowNanos < 2) {
            throw new IllegalArgumentException("windowNanos: " + windowNanos + " (expected: >= 2)");
        }
        this.halfWindowNanos = windowNanos / 2;
    }

    /** Records one latency measured at {@code nowNanos}. */
    public void record(long latencyNanos, long nowNanos) {
        long epoch = Math.floorDiv(nowNanos, halfWindowNanos);
        int slot = (int) (epoch & 1);
        Half half = halves.get(slot);
        while (half.epoch != epoch) {
            Half fresh = new Half(epoch);
            half = halves.compareAndSet(slot, half, fresh) ? fresh : halves.get(slot);
        }
        half.counts.incrementAndGet(bucket(Math.max(0, latencyNanos) >>> UNIT_SHIFT));
        half.total.increment();
    }

    /**
     * The {@code percentile} (0 to 100) of the latencies recorded in the window ending at {@code nowNanos}, as the
     * upper edge of its bucket, or -1 when fewer than {@code minSamples} were recorded.
     */
    public long percentileNanos(double percentile, long nowNanos, int minSamples) {
        long epoch = Math.floorDiv(nowNanos, halfWindowNanos);
        long total = 0;
        Half[] live = new Half[2];
        for (int i = 0; i < 2; i++) {
            Half half = halves.get(i);
            long age = epoch - half.epoch;
            if (age == 0 || age == 1) {
                live[i] = half;
                total += half.total.sum();
            }
        }
        if (total < minSamples || total == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(percentile / 100 * total);
        long seen = 0;
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            for (Half half : live) {
                if (half != null) {
                    seen += half.counts.get(bucket);
                }
            }
            if (seen >= Math.max(1, rank)) {
                return upperEdge(bucket) << UNIT_SHIFT;
            }
        }
        return -1; // only if a half was swapped out between reading its total and its counts
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

    /** The counts of one half window, numbered by its epoch (time divided by the half window). */
    private static final class Half {
        final long epoch;
        final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
        final LongAdder total = new LongAdder();

        Half(long epoch) {
            this.epoch = epoch;
        }
    }
}
