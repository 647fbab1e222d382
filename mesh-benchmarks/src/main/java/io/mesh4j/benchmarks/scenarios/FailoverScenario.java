package io.mesh4j.benchmarks.scenarios;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.BalancerConfig;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.lb.OutlierEjectionConfig;
import io.mesh4j.resilience.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;

/**
 * Scenario 3, failover: four backends answer after 1 ms; two calling threads; in each block one backend is killed
 * (its server stops, its connections close, its port refuses) and restarted on the same port two seconds later.
 * Each contender is built afresh for each block, so no block inherits another's pooled connections or health state.
 * Failed attempts to the dead backend are seen on the client side (refused connects and broken pooled connections,
 * whoever sent them: the mesh or OkHttp); the first request it reads after its restart is seen by the backend.
 */
final class FailoverScenario implements Scenario {

    private static final int INSTANCES = 4;
    private static final long KILL_AT_MILLIS = 1_500;
    private static final long RESTART_AT_MILLIS = 3_500;
    private static final long BLOCK_MILLIS = 6_000;
    /** A gap this long in the failed attempts to the dead backend ends the first burst: it was ejected. */
    private static final long EJECTED_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Loopback loopback;

    FailoverScenario(Loopback loopback) {
        this.loopback = loopback;
    }

    @Override
    public String id() {
        return "failover";
    }

    /** Everything one contender did over its blocks. */
    private static final class Outcome {
        long windowCalls;
        long windowSuccesses;
        long failedAttempts;
        final List<String> ejected = new ArrayList<>();
        final List<String> backAfter = new ArrayList<>();
        List<double[]> timeline;
    }

    @Override
    public Report run(Pace pace) throws Exception {
        Report report = new Report(id(), "Failover: one of four instances killed, then restarted");
        List<Backend> backends = loopback.start("b", INSTANCES, Backend.Answer.ok(1));
        try {
            Backend victim = backends.get(0);
            List<ServiceInstance> instances = Loopback.orders(backends);
            Map<String, Function<OkHttpClient, Contender>> contenders = new LinkedHashMap<>();
            contenders.put("Mesh4j defaults", client -> mesh("Mesh4j defaults", instances, client,
                    ServiceSettings.ofDefaults()));
            contenders.put("Mesh4j, ejection 1 s", client -> mesh("Mesh4j, ejection 1 s", instances, client,
                    ServiceSettings.custom().balancer(LoadBalancers.of(BalancerConfig.custom()
                            .outlierEjection(OutlierEjectionConfig.custom().baseEjectionTime(Duration.ofSeconds(1))
                                    .build()).build())).build()));
            contenders.put("Mesh4j round robin, no retries, no ejection", client -> mesh(
                    "Mesh4j round robin, no retries, no ejection", instances, client, ServiceSettings.custom()
                            .retry(RetryConfig.disabled()).balancer(LoadBalancers.of(BalancerConfig.custom()
                                    .algorithm(Algorithm.ROUND_ROBIN).outlierEjection(OutlierEjectionConfig.disabled())
                                    .build())).build()));
            for (String strategy : List.of("round-robin", "least-response-time")) {
                contenders.put("stork " + strategy, client -> Contenders.stork(strategy, backends, client, "/"));
            }
            Map<String, Outcome> outcomes = new LinkedHashMap<>();
            int rounds = pace.rounds(2);
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, Function<OkHttpClient, Contender>> entry : contenders.entrySet()) {
                    Outcome outcome = outcomes.computeIfAbsent(entry.getKey(), name -> new Outcome());
                    runBlock(entry.getValue(), victim, outcome);
                }
            }
            report(report, rounds, outcomes);
        } finally {
            backends.forEach(Backend::close);
        }
        return report;
    }

    private static Contender mesh(String name, List<ServiceInstance> instances, OkHttpClient client,
            ServiceSettings settings) {
        return Contenders.mesh(name, MeshClient.builder().discovery(StaticDiscovery.of(instances)).okHttpClient(client)
                .defaultSettings(settings).build(), "http://orders/");
    }

    private static void runBlock(Function<OkHttpClient, Contender> factory, Backend victim, Outcome outcome)
            throws Exception {
        FailedAttempts attempts = new FailedAttempts(victim.port());
        OkHttpClient client = attempts.install(new OkHttpClient());
        try (Contender contender = factory.apply(client)) {
            ClosedLoop.run(contender, 2, TimeUnit.MILLISECONDS.toNanos(500), 1_000_000, System.nanoTime());
            TimedBlock.Result result = TimedBlock.run(contender, 2, BLOCK_MILLIS, 1_000_000, 0,
                    new TimedBlock.Event(KILL_AT_MILLIS, victim::kill),
                    new TimedBlock.Event(RESTART_AT_MILLIS, () -> {
                        victim.mark();
                        victim.restart();
                    }));
            long killed = result.eventNanos()[0];
            long restarted = result.eventNanos()[1];
            Samples samples = result.block().samples();
            for (int i = 0; i < samples.size(); i++) {
                long started = result.startNanos() + samples.start(i);
                if (started >= killed && started < restarted) {
                    outcome.windowCalls++;
                    if (samples.succeeded(i)) {
                        outcome.windowSuccesses++;
                    }
                }
            }
            long[] failed = attempts.between(killed, restarted);
            outcome.failedAttempts += failed.length;
            outcome.ejected.add(ejectedAfter(failed, killed, restarted));
            long back = victim.firstRequestAfterMark();
            outcome.backAfter.add(back == 0 ? "none" : Table.fixed((back - restarted) / 1e6, 0));
            if (outcome.timeline == null) {
                outcome.timeline = successTimeline(samples);
            }
        }
    }

    /** Milliseconds from the kill to the last failed attempt of the first burst, as text; "never" if it went on. */
    private static String ejectedAfter(long[] failed, long killed, long restarted) {
        if (failed.length == 0) {
            return "0";
        }
        long last = failed[0];
        for (int i = 1; i < failed.length; i++) {
            if (failed[i] - last >= EJECTED_GAP_NANOS) {
                return Table.fixed((last - killed) / 1e6, 0);
            }
            last = failed[i];
        }
        return restarted - last >= EJECTED_GAP_NANOS ? Table.fixed((last - killed) / 1e6, 0) : "never";
    }

    /** The share of calls that succeeded, per 100 ms of the block, by start time. */
    private static List<double[]> successTimeline(Samples samples) {
        int buckets = (int) (BLOCK_MILLIS / 100);
        long[] calls = new long[buckets];
        long[] successes = new long[buckets];
        for (int i = 0; i < samples.size(); i++) {
            int bucket = (int) Math.min(buckets - 1, samples.start(i) / 100_000_000L);
            calls[bucket]++;
            if (samples.succeeded(i)) {
                successes[bucket]++;
            }
        }
        List<double[]> points = new ArrayList<>();
        for (int bucket = 0; bucket < buckets; bucket++) {
            if (calls[bucket] > 0) {
                points.add(new double[] {bucket / 10.0, 100.0 * successes[bucket] / calls[bucket]});
            }
        }
        return points;
    }

    private static void report(Report report, int rounds, Map<String, Outcome> outcomes) {
        report.text(String.format(Locale.ROOT, "Two calling threads, closed loop, %d blocks of %.1f s per contender "
                + "(interleaved), each after a 0.5 s warm-up: backend b0 killed at %.1f s and restarted at %.1f s. "
                + "\"Ejected after\" is the time from the kill to the last failed attempt to b0 before a %d ms gap "
                + "(\"never\": no such gap while b0 was dead); \"traffic again after\" is the time from the restart "
                + "to the first request b0 read (\"none\": not within the block's %.1f s left). One figure per block.",
                rounds, BLOCK_MILLIS / 1e3, KILL_AT_MILLIS / 1e3, RESTART_AT_MILLIS / 1e3,
                EJECTED_GAP_NANOS / 1_000_000, (BLOCK_MILLIS - RESTART_AT_MILLIS) / 1e3));
        Table table = new Table("contender", "calls while b0 was dead", "succeeded", "failed attempts to b0",
                "ejected after (ms)", "traffic again after (ms)");
        Map<String, List<double[]>> timelines = new LinkedHashMap<>();
        for (Map.Entry<String, Outcome> entry : outcomes.entrySet()) {
            Outcome outcome = entry.getValue();
            table.row(entry.getKey(), outcome.windowCalls,
                    Table.percent((double) outcome.windowSuccesses / Math.max(1, outcome.windowCalls)),
                    outcome.failedAttempts, String.join(", ", outcome.ejected),
                    String.join(", ", outcome.backAfter));
            timelines.put(entry.getKey(), outcome.timeline);
        }
        report.table(table);
        report.chart("success", SvgChart.lines("Failover: calls that succeeded per 100 ms (b0 dead from 1.5 to 3.5 s)",
                "seconds into the block", "% succeeded", timelines));
        report.text("Contenders: " + outcomes.keySet().stream().collect(Collectors.joining(", ")) + ".");
    }
}
