package io.mesh4j.benchmarks.scenarios;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One closed-loop block with events at fixed offsets from its start (an instance killed, a storm begun), and
 * optional sampling of counters at a fixed period, so a scenario can see what the wire did over time.
 */
final class TimedBlock {

    /** An event of the block: what to do and when, in milliseconds from the block's start. */
    record Event(long atMillis, Action action) {
    }

    /** Something a block does at its time. */
    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    /** What a block did, and the {@link System#nanoTime()} of its start and of each event. */
    record Result(ClosedLoop.Block block, long startNanos, long[] eventNanos) {
    }

    private TimedBlock() {
    }

    static Result run(Contender contender, int threads, long durationMillis, long maxCalls, long intervalNanos,
            Event... events) throws Exception {
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            long start = System.nanoTime();
            Future<ClosedLoop.Block> block = runner.submit(() -> ClosedLoop.run(contender, threads,
                    TimeUnit.MILLISECONDS.toNanos(durationMillis), maxCalls, start, intervalNanos));
            long[] eventNanos = new long[events.length];
            for (int i = 0; i < events.length; i++) {
                long due = start + TimeUnit.MILLISECONDS.toNanos(events[i].atMillis());
                sleepUntil(due);
                eventNanos[i] = System.nanoTime();
                events[i].action().run();
            }
            return new Result(block.get(durationMillis + 60_000, TimeUnit.MILLISECONDS), start, eventNanos);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the block failed", e.getCause());
        } finally {
            runner.shutdownNow();
        }
    }

    static void sleepUntil(long dueNanos) throws InterruptedException {
        long left = dueNanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
