package io.mesh4j.benchmarks.scenarios;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The load scenarios of {@code docs/BENCHMARKS.md}: Mesh4j next to bare OkHttp, an nginx sidecar and SmallRye Stork,
 * over real HTTP on loopback, every contender in interleaved blocks of one run so that their ratios hold on a noisy
 * machine. Each scenario prints its tables and writes them, with SVG charts, to the output directory.
 *
 * <ol>
 *   <li>{@code overhead}: bare OkHttp, Mesh4j and an nginx reverse proxy: latency percentiles and CPU per call;</li>
 *   <li>{@code slow-instance}: one instance of five answers in 20 ms, the others in 1 ms: every Mesh4j balancer,
 *       with and without hedging, and Stork's strategies;</li>
 *   <li>{@code failover}: one of four instances killed and restarted mid-block;</li>
 *   <li>{@code retry-storm}: every instance answers 503 (plain, then with {@code Retry-After: 0}) for a while;</li>
 *   <li>{@code propagation}: a Consul stand-in with blocking queries against polling at Stork's and Spring Cloud
 *       LoadBalancer's default periods.</li>
 * </ol>
 *
 * <p>Run from the repository root ({@code scenarios.sh} installs nginx when it is missing, builds, and runs this):
 * <pre>
 * mesh-benchmarks/scenarios.sh                       # all scenarios, DEFAULT pace, reports into docs/scenarios
 * mesh-benchmarks/scenarios.sh --pace SHORT failover # one scenario, quickly
 * </pre>
 * Options: {@code --pace SHORT|DEFAULT|LONG}, {@code --out <directory>}, then scenario ids (all when none).
 */
public final class LoadScenarios {

    private LoadScenarios() {
    }

    public static void main(String[] args) throws Exception {
        // Without it the JDK server's two writes per answer meet the client's delayed ACK: 40 ms a call.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Pace pace = Pace.DEFAULT;
        Path out = Path.of("docs", "scenarios");
        List<String> selected = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pace" -> pace = Pace.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--out" -> out = Path.of(args[++i]);
                default -> selected.add(args[i]);
            }
        }
        ExecutorService serverThreads = Executors.newCachedThreadPool(daemon("scenario-server"));
        ScheduledExecutorService delays = Executors.newScheduledThreadPool(2, daemon("scenario-delay"));
        Loopback loopback = new Loopback(serverThreads, delays);
        List<Scenario> scenarios = List.of(new OverheadScenario(loopback), new SlowInstanceScenario(loopback),
                new FailoverScenario(loopback), new RetryStormScenario(loopback), new PropagationScenario(loopback));
        List<String> known = scenarios.stream().map(Scenario::id).toList();
        for (String id : selected) {
            if (!known.contains(id)) {
                throw new IllegalArgumentException("scenario: " + id + " (expected: one of " + known + ")");
            }
        }
        long began = System.nanoTime();
        for (Scenario scenario : scenarios) {
            if (!selected.isEmpty() && !selected.contains(scenario.id())) {
                continue;
            }
            long start = System.nanoTime();
            System.out.printf(Locale.ROOT, "%n=== %s (pace %s) ===%n", scenario.id(), pace);
            Report report = scenario.run(pace);
            report.write(out);
            System.out.println(report.markdown());
            System.out.printf(Locale.ROOT, "(%s took %.0f s; written to %s)%n", scenario.id(),
                    (System.nanoTime() - start) / 1e9, out.resolve(scenario.id() + ".md"));
        }
        System.out.printf(Locale.ROOT, "%nAll selected scenarios took %.0f s. Arguments: %s%n",
                (System.nanoTime() - began) / 1e9, Arrays.toString(args));
        serverThreads.shutdownNow();
        delays.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
