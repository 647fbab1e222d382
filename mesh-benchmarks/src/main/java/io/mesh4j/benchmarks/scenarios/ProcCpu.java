package io.mesh4j.benchmarks.scenarios;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of another process and its children, read from Linux's {@code /proc/<pid>/stat} ({@code utime} plus
 * {@code stime}, in clock ticks of {@code getconf CLK_TCK}, 100 per second on Linux).
 */
final class ProcCpu {

    private static final long NANOS_PER_TICK = 1_000_000_000L / clockTicksPerSecond();

    private ProcCpu() {
    }

    /** CPU time used so far by {@code process} and its live children, in nanoseconds (tick resolution). */
    static long nanos(ProcessHandle process) {
        long ticks = ticks(process.pid());
        for (ProcessHandle child : process.children().toList()) {
            ticks += ticks(child.pid());
        }
        return ticks * NANOS_PER_TICK;
    }

    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name, in parentheses, may hold spaces: fields are counted after its closing one.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    private static long clockTicksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            getconf.waitFor();
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
