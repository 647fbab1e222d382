package io.mesh4j.benchmarks.scenarios;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs contenders in interleaved blocks, A/B/C/A/B/C, so that whatever else the machine does falls on all of them
 * alike and their ratios hold within one run. A first block of each contender warms it up (JIT, connection pools,
 * latency estimates) and is not counted. Around every block the scenario's counters (requests read by each backend,
 * a proxy's CPU time) are read, and their difference is added to the contender's tally.
 */
final class Interleaved {

    private Interleaved() {
    }

    /** The sum of a contender's counted blocks. */
    static final class Tally {
        final Samples samples = new Samples();
        /** The 99th percentile of each counted block, in order: how much the contender varies within the run. */
        final List<Long> blockP99s = new ArrayList<>();
        long[] counters;
        long callerCpuNanos;

        long calls() {
            return samples.size() + samples.dropped();
        }

        long counter(int index) {
            return counters == null ? 0 : counters[index];
        }

        long counterSum() {
            long sum = 0;
            if (counters != null) {
                for (long counter : counters) {
                    sum += counter;
                }
            }
            return sum;
        }
    }

    /** How long and how wide the blocks are. */
    record Plan(int rounds, long warmupNanos, long blockNanos, int threads, long maxCallsPerBlock) {
    }

    static Map<String, Tally> run(List<? extends Contender> contenders, Plan plan, Supplier<long[]> counters)
            throws InterruptedException {
        long origin = System.nanoTime();
        for (Contender contender : contenders) {
            ClosedLoop.run(contender, plan.threads(), plan.warmupNanos(), plan.maxCallsPerBlock(), origin);
        }
        Map<String, Tally> tallies = new LinkedHashMap<>();
        for (int round = 0; round < plan.rounds(); round++) {
            for (Contender contender : contenders) {
                long[] before = counters.get();
                ClosedLoop.Block block = ClosedLoop.run(contender, plan.threads(), plan.blockNanos(),
                        plan.maxCallsPerBlock(), origin);
                long[] after = counters.get();
                Tally tally = tallies.computeIfAbsent(contender.name(), name -> new Tally());
                tally.samples.addAll(block.samples());
                tally.blockP99s.add(Samples.quantile(block.samples().sortedLatencies(), 0.99));
                tally.callerCpuNanos += block.callerCpuNanos();
                if (tally.counters == null) {
                    tally.counters = new long[after.length];
                }
                for (int i = 0; i < after.length; i++) {
                    tally.counters[i] += after[i] - before[i];
                }
            }
        }
        return tallies;
    }
}
