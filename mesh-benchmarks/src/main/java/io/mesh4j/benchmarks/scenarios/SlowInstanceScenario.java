package io.mesh4j.benchmarks.scenarios;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.resilience.HedgingConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.OkHttpClient;

/**
 * Scenario 2, one slow instance out of five: four backends answer after 1 ms, one after 20 ms. Four calling threads,
 * closed loop. Mesh4j's balancers (default settings but the balancer), peak-EWMA and round robin also with hedging
 * after the 85th percentile, peak-EWMA also after the 99th, and Stork's strategies in front of one shared OkHttp client. The share of calls that
 * reached the slow instance is counted by the backends; "within 5x" is the share of calls that succeeded within
 * five times the contender's own median.
 */
final class SlowInstanceScenario implements Scenario {

    private static final int INSTANCES = 5;
    private static final long FAST_MILLIS = 1;
    private static final long SLOW_MILLIS = 20;
    private static final HedgingConfig HEDGING_P85 = HedgingConfig.custom().delayPercentile(85)
            .delay(Duration.ofMillis(5)).build();
    private static final HedgingConfig HEDGING_P99 = HedgingConfig.custom().delayPercentile(99)
            .delay(Duration.ofMillis(5)).build();

    private final Loopback loopback;

    SlowInstanceScenario(Loopback loopback) {
        this.loopback = loopback;
    }

    @Override
    public String id() {
        return "slow-instance";
    }

    @Override
    public Report run(Pace pace) throws Exception {
        Report report = new Report(id(), "One slow instance out of five (20 ms against 1 ms)");
        List<Backend> backends = new ArrayList<>();
        List<Contender> contenders = new ArrayList<>();
        try {
            for (int i = 0; i < INSTANCES; i++) {
                backends.add(loopback.start(i == 0 ? "slow" : "fast-" + i,
                        Backend.Answer.ok(i == 0 ? SLOW_MILLIS : FAST_MILLIS)));
            }
            List<ServiceInstance> instances = Loopback.orders(backends);
            contenders.add(mesh("Mesh4j round robin", instances, Algorithm.ROUND_ROBIN, null));
            contenders.add(mesh("Mesh4j round robin + hedging p85", instances, Algorithm.ROUND_ROBIN, HEDGING_P85));
            contenders.add(mesh("Mesh4j random", instances, Algorithm.RANDOM, null));
            contenders.add(mesh("Mesh4j least request", instances, Algorithm.LEAST_REQUEST, null));
            contenders.add(mesh("Mesh4j peak-EWMA", instances, Algorithm.PEAK_EWMA, null));
            contenders.add(mesh("Mesh4j peak-EWMA + hedging p85", instances, Algorithm.PEAK_EWMA, HEDGING_P85));
            contenders.add(mesh("Mesh4j peak-EWMA + hedging p99", instances, Algorithm.PEAK_EWMA, HEDGING_P99));
            OkHttpClient storkClient = new OkHttpClient();
            for (String strategy : Contenders.STORK_STRATEGIES) {
                contenders.add(Contenders.stork(strategy, backends, storkClient, "/"));
            }
            Interleaved.Plan plan = new Interleaved.Plan(pace.rounds(2), pace.blockNanos(2_000),
                    pace.blockNanos(3_000), 4, 2_000_000);
            Map<String, Interleaved.Tally> tallies = Interleaved.run(contenders, plan,
                    () -> backends.stream().mapToLong(Backend::received).toArray());
            report(report, plan, tallies);
        } finally {
            contenders.forEach(Contender::close);
            backends.forEach(Backend::close);
        }
        return report;
    }

    private static Contender mesh(String name, List<ServiceInstance> instances, Algorithm algorithm,
            HedgingConfig hedging) {
        ServiceSettings.Builder settings = ServiceSettings.custom().balancer(LoadBalancers.of(algorithm));
        if (hedging != null) {
            settings.hedging(hedging);
        }
        MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(instances))
                .defaultSettings(settings.build()).build();
        return Contenders.mesh(name, mesh, "http://orders/");
    }

    private static void report(Report report, Interleaved.Plan plan, Map<String, Interleaved.Tally> tallies) {
        report.text(String.format(Locale.ROOT, "Four calling threads, closed loop; %d interleaved rounds of %.1f s "
                + "blocks per contender after a warm-up block each. Hedging p85 (p99): a hedge after the 85th "
                + "(99th) percentile of recent answers, within the retry budget.", plan.rounds(), plan.blockNanos() / 1e9));
        Table table = new Table("contender", "calls", "p50 ms", "p99 ms", "p99.9 ms", "calls to the slow instance",
                "wire requests per call", "within 5x median");
        List<String> names = new ArrayList<>(tallies.keySet());
        double[][] chart = new double[names.size()][];
        for (int i = 0; i < names.size(); i++) {
            Interleaved.Tally tally = tallies.get(names.get(i));
            long[] sorted = tally.samples.sortedLatencies();
            table.row(names.get(i), tally.calls(), Table.millis(Samples.quantile(sorted, 0.5)),
                    Table.millis(Samples.quantile(sorted, 0.99)), Table.millis(Samples.quantile(sorted, 0.999)),
                    Table.percent((double) tally.counter(0) / tally.counterSum()),
                    Table.fixed((double) tally.counterSum() / tally.calls(), 3), Table.percent(withinFiveMedians(tally)));
            chart[i] = new double[] {Samples.quantile(sorted, 0.5) / 1e6, Samples.quantile(sorted, 0.99) / 1e6,
                Samples.quantile(sorted, 0.999) / 1e6};
        }
        report.table(table);
        long ewmaP99 = p99(tallies, "Mesh4j peak-EWMA");
        long roundRobinP99 = p99(tallies, "Mesh4j round robin");
        report.target("peak-EWMA p99 at most 0.1x round robin's", ewmaP99 <= roundRobinP99 / 10,
                Table.millis(ewmaP99) + " against " + Table.millis(roundRobinP99) + " ms, "
                        + Table.fixed((double) ewmaP99 / roundRobinP99, 3) + "x");
        double within = withinFiveMedians(tallies.get("Mesh4j peak-EWMA"));
        report.target("peak-EWMA: at least 99.9% of calls succeed within 5x the median", within >= 0.999,
                Table.percent(within));
        for (String hedged : List.of("Mesh4j round robin + hedging p85", "Mesh4j peak-EWMA + hedging p85",
                "Mesh4j peak-EWMA + hedging p99")) {
            String balancer = hedged.substring(0, hedged.indexOf(" + "));
            long without = p99(tallies, balancer);
            long with = p99(tallies, hedged);
            List<Long> blocks = tallies.get(balancer).blockP99s;
            long spread = Collections.max(blocks) - Collections.min(blocks);
            report.target(hedged.substring("Mesh4j ".length()) + ": p99 no worse than without hedging, beyond the "
                    + "spread of the p99s of its blocks without", with <= without + spread,
                    Table.millis(with) + " with, " + Table.millis(without) + " ms without, spread "
                            + Table.millis(spread) + " ms");
        }
        report.chart("latency", SvgChart.bars("One slow instance of five: latency per call, 4 threads (ms, log scale)",
                "ms", names, List.of("p50", "p99", "p99.9"), chart, true));
    }

    private static long p99(Map<String, Interleaved.Tally> tallies, String name) {
        return Samples.quantile(tallies.get(name).samples.sortedLatencies(), 0.99);
    }

    private static double withinFiveMedians(Interleaved.Tally tally) {
        long bound = 5 * Samples.quantile(tally.samples.sortedLatencies(), 0.5);
        Samples samples = tally.samples;
        long within = 0;
        for (int i = 0; i < samples.size(); i++) {
            if (samples.succeeded(i) && samples.latency(i) <= bound) {
                within++;
            }
        }
        return (double) within / samples.size();
    }
}
