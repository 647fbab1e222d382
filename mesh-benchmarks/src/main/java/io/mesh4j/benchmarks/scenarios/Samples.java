package io.mesh4j.benchmarks.scenarios;

import java.util.Arrays;

/**
 * The calls of one contender: when each started (relative to the scenario's origin), how long it took and whether
 * it succeeded (a 2xx status). Growable up to a fixed bound, so a scenario's memory is bounded whatever the call
 * rate. Not thread-safe: each calling thread fills its own, and {@link #addAll} merges them afterwards.
 */
final class Samples {

    /** More calls than any scenario block makes; calls beyond it are counted but not kept. */
    private static final int MAX_KEPT = 4_000_000;

    private long[] startNanos = new long[1024];
    private long[] latencyNanos = new long[1024];
    private boolean[] succeeded = new boolean[1024];
    private int size;
    private long dropped;

    void add(long start, long latency, boolean success) {
        if (size == MAX_KEPT) {
            dropped++;
            return;
        }
        if (size == startNanos.length) {
            int capacity = Math.min(MAX_KEPT, size * 2);
            startNanos = Arrays.copyOf(startNanos, capacity);
            latencyNanos = Arrays.copyOf(latencyNanos, capacity);
            succeeded = Arrays.copyOf(succeeded, capacity);
        }
        startNanos[size] = start;
        latencyNanos[size] = latency;
        succeeded[size] = success;
        size++;
    }

    void addAll(Samples other) {
        for (int i = 0; i < other.size; i++) {
            add(other.startNanos[i], other.latencyNanos[i], other.succeeded[i]);
        }
        dropped += other.dropped;
    }

    int size() {
        return size;
    }

    long dropped() {
        return dropped;
    }

    long start(int i) {
        return startNanos[i];
    }

    long latency(int i) {
        return latencyNanos[i];
    }

    boolean succeeded(int i) {
        return succeeded[i];
    }

    long successes() {
        long count = 0;
        for (int i = 0; i < size; i++) {
            if (succeeded[i]) {
                count++;
            }
        }
        return count;
    }

    /** The latencies of all calls, sorted. */
    long[] sortedLatencies() {
        long[] sorted = Arrays.copyOf(latencyNanos, size);
        Arrays.sort(sorted);
        return sorted;
    }

    /** The {@code quantile} (0 to 1) of sorted values, nearest rank; 0 when there are none. */
    static long quantile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
