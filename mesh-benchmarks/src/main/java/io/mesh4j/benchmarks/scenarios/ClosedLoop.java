package io.mesh4j.benchmarks.scenarios;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Callers that each send the next call as soon as the last one ended, for a bounded time and a bounded number of
 * calls. The CPU time of the calling threads is measured with {@link ThreadMXBean}: with OkHttp's synchronous calls
 * that is the whole client-side cost of a call, and it leaves out the backends, which run in the same process.
 */
final class ClosedLoop {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ClosedLoop() {
    }

    /** What one block of calls did. */
    record Block(Samples samples, long callerCpuNanos) {
    }

    /**
     * Runs {@code threads} callers of {@code contender} for {@code durationNanos} or until {@code maxCalls} calls
     * started, whichever comes first. Start times are taken relative to {@code originNanos}.
     */
    static Block run(Contender contender, int threads, long durationNanos, long maxCalls, long originNanos)
            throws InterruptedException {
        return run(contender, threads, durationNanos, maxCalls, originNanos, 0);
    }

    /**
     * As {@link #run(Contender, int, long, long, long)}, but each caller starts a call at most every
     * {@code intervalNanos}: a caller whose calls fail fast does not speed up, as real traffic would not. A caller
     * behind its schedule starts the next call at once, with no burst to catch up.
     */
    static Block run(Contender contender, int threads, long durationNanos, long maxCalls, long originNanos,
            long intervalNanos) throws InterruptedException {
        List<Thread> callers = new ArrayList<>(threads);
        List<Samples> perThread = new ArrayList<>(threads);
        AtomicLong started = new AtomicLong();
        AtomicLong cpu = new AtomicLong();
        long deadline = System.nanoTime() + durationNanos;
        for (int t = 0; t < threads; t++) {
            Samples samples = new Samples();
            perThread.add(samples);
            Thread caller = new Thread(() -> {
                long cpuBefore = THREADS.getCurrentThreadCpuTime();
                long next = System.nanoTime();
                while (System.nanoTime() < deadline && started.incrementAndGet() <= maxCalls) {
                    if (intervalNanos > 0) {
                        LockSupport.parkNanos(next - System.nanoTime());
                        next = Math.max(next + intervalNanos, System.nanoTime());
                    }
                    long start = System.nanoTime();
                    boolean success;
                    try {
                        int status = contender.call();
                        success = status >= 200 && status < 300;
                    } catch (Exception e) {
                        success = false;
                    }
                    samples.add(start - originNanos, System.nanoTime() - start, success);
                }
                cpu.addAndGet(THREADS.getCurrentThreadCpuTime() - cpuBefore);
            }, "scenario-caller-" + t);
            callers.add(caller);
            caller.start();
        }
        for (Thread caller : callers) {
            caller.join();
        }
        Samples merged = new Samples();
        perThread.forEach(merged::addAll);
        return new Block(merged, cpu.get());
    }
}
