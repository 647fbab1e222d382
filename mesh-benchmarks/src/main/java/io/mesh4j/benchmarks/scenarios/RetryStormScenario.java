package io.mesh4j.benchmarks.scenarios;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.resilience.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.OkHttpClient;

/**
 * Scenario 4, retry storm: four backends answer 200 after 1 ms, then all answer 503 for three seconds of each
 * six-second block, first plain, then with {@code Retry-After: 0} (which OkHttp itself resends once). Four calling
 * threads, each starting a call at most every 2 ms (so at most 2,000 calls a second, whether calls fail fast or not). Contenders: Mesh4j with retries off, a naive loop of three attempts around a default OkHttp
 * client, Mesh4j's defaults (three attempts within a 20% budget), and those defaults with a service circuit breaker.
 * The backends count every request they read; the storm's requests per call are compared with what the budget
 * allows: its floor of 10 retries a second over its 10 s window, plus 20% of the calls in the window, plus the
 * first attempts of the calls in flight as the storm begins (at most one per thread), which the backends count in
 * the storm although the calls started before it (their retries draw on the budget like any).
 */
final class RetryStormScenario implements Scenario {

    private static final int INSTANCES = 4;
    private static final long BLOCK_MILLIS = 6_000;
    private static final long STORM_FROM_MILLIS = 1_500;
    private static final long STORM_TO_MILLIS = 4_500;
    private static final long SAMPLE_MILLIS = 250;
    private static final int THREADS = 4;
    /** Each caller starts a call at most every 2 ms: calls that fail fast do not multiply the call rate. */
    private static final long CALL_INTERVAL_NANOS = 2_000_000;
    /** The default budget: 10 retries a second over a 10 s window, plus 20% of requests. */
    private static final double BUDGET_FLOOR = 10 * 10;
    private static final double BUDGET_SHARE = 0.2;

    private final Loopback loopback;

    RetryStormScenario(Loopback loopback) {
        this.loopback = loopback;
    }

    @Override
    public String id() {
        return "retry-storm";
    }

    /** Everything one contender did in one variant, over its blocks. */
    private static final class Outcome {
        final boolean budgeted;
        long stormCalls;
        long stormSuccesses;
        long stormWire;
        long callsUntilStormEnd;
        int blocks;
        List<double[]> timeline;

        Outcome(boolean budgeted) {
            this.budgeted = budgeted;
        }

        double perCall() {
            return (double) stormWire / stormCalls;
        }

        double bound() {
            return 1 + ((BUDGET_FLOOR + THREADS) * blocks + BUDGET_SHARE * callsUntilStormEnd) / stormCalls;
        }
    }

    @Override
    public Report run(Pace pace) throws Exception {
        Report report = new Report(id(), "Retry storm: every instance answers 503 for 3 s");
        report.text(String.format(Locale.ROOT, "Four calling threads, each starting a call at most every 2 ms; "
                + "blocks of %.1f s, storm from %.1f to %.1f s; %d interleaved blocks per contender and variant. "
                + "\"Budget allows\" is 1 + (%.0f + %d + 20%% of the calls from the block's start to the storm's "
                + "end) / calls in the storm: the floor (10 a second over the 10 s window) and the share of the "
                + "default budget, for the contenders that have one, and the first attempts of the calls in flight "
                + "as the storm begins (at most one per thread), which the backends count in the storm though the "
                + "calls began before.", BLOCK_MILLIS / 1e3, STORM_FROM_MILLIS / 1e3, STORM_TO_MILLIS / 1e3,
                pace.rounds(2), BUDGET_FLOOR, THREADS));
        List<Backend> backends = loopback.start("b", INSTANCES, Backend.Answer.ok(1));
        try {
            for (String retryAfter : new String[] {null, "0"}) {
                String variant = retryAfter == null ? "plain 503" : "503 with Retry-After: 0";
                Map<String, Outcome> outcomes = runVariant(pace, backends, retryAfter);
                Table table = new Table("contender", "calls in the storm", "succeeded", "wire requests per call",
                        "budget allows", "wire requests per second");
                Map<String, List<double[]>> timelines = new LinkedHashMap<>();
                for (Map.Entry<String, Outcome> entry : outcomes.entrySet()) {
                    Outcome outcome = entry.getValue();
                    table.row(entry.getKey(), outcome.stormCalls,
                            Table.percent((double) outcome.stormSuccesses / outcome.stormCalls),
                            Table.fixed(outcome.perCall(), 3), outcome.budgeted ? Table.fixed(outcome.bound(), 3) : "",
                            Table.fixed(outcome.stormWire * 1e3 / (STORM_TO_MILLIS - STORM_FROM_MILLIS)
                                    / outcome.blocks, 0));
                    timelines.put(entry.getKey(), outcome.timeline);
                }
                report.text("**" + variant + "**").table(table);
                outcomes.forEach((name, outcome) -> {
                    if (outcome.budgeted) {
                        report.target(variant + ": " + name + " stays within the budget's share plus its floor",
                                outcome.perCall() <= outcome.bound(), Table.fixed(outcome.perCall(), 3) + " against "
                                        + Table.fixed(outcome.bound(), 3) + " requests per call");
                    }
                });
                report.chart(retryAfter == null ? "plain" : "retry-after-0", SvgChart.lines("Retry storm (" + variant
                        + "): wire requests per call, per 250 ms (storm from 1.5 to 4.5 s)", "seconds into the block",
                        "requests per call", timelines));
            }
        } finally {
            backends.forEach(Backend::close);
        }
        return report;
    }

    private Map<String, Outcome> runVariant(Pace pace, List<Backend> backends, String retryAfter) throws Exception {
        List<ServiceInstance> instances = Loopback.orders(backends);
        // Each contender, and whether it retries within the default budget (whose bound the report checks).
        Map<Contender, Boolean> contenders = new LinkedHashMap<>();
        contenders.put(mesh("Mesh4j, no retries", instances, ServiceSettings.custom().retry(RetryConfig.disabled())
                .build()), false);
        contenders.put(Contenders.naiveRetries("naive 3 attempts (OkHttp)", backends, new OkHttpClient(), 3), false);
        contenders.put(mesh("Mesh4j defaults (budget)", instances, ServiceSettings.ofDefaults()), true);
        contenders.put(mesh("Mesh4j budget + breaker", instances, ServiceSettings.custom()
                .circuitBreaker(CircuitBreakerConfig.custom().slidingWindowSize(20).minimumNumberOfCalls(20)
                        .failureRateThreshold(50).waitDurationInOpenState(Duration.ofMillis(500))
                        .permittedNumberOfCallsInHalfOpenState(2).build()).build()), true);
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        try {
            for (int round = 0; round < pace.rounds(2); round++) {
                for (Map.Entry<Contender, Boolean> contender : contenders.entrySet()) {
                    Outcome outcome = outcomes.computeIfAbsent(contender.getKey().name(),
                            name -> new Outcome(contender.getValue()));
                    runBlock(contender.getKey(), backends, retryAfter, outcome);
                }
            }
        } finally {
            contenders.keySet().forEach(Contender::close);
        }
        return outcomes;
    }

    private static Contender mesh(String name, List<ServiceInstance> instances, ServiceSettings settings) {
        return Contenders.mesh(name, MeshClient.builder().discovery(StaticDiscovery.of(instances))
                .defaultSettings(settings).build(), "http://orders/");
    }

    private static void runBlock(Contender contender, List<Backend> backends, String retryAfter, Outcome outcome)
            throws Exception {
        int buckets = (int) (BLOCK_MILLIS / SAMPLE_MILLIS);
        long[] wire = new long[buckets + 1];
        long[] stormWire = new long[2];
        List<TimedBlock.Event> events = new ArrayList<>();
        for (int bucket = 0; bucket <= buckets; bucket++) {
            long at = bucket * SAMPLE_MILLIS;
            int index = bucket;
            if (at == STORM_FROM_MILLIS) {
                events.add(new TimedBlock.Event(at, () -> {
                    stormWire[0] = received(backends);
                    backends.forEach(backend -> backend.answer(Backend.Answer.unavailable(1, retryAfter)));
                }));
            }
            if (at == STORM_TO_MILLIS) {
                events.add(new TimedBlock.Event(at, () -> {
                    backends.forEach(backend -> backend.answer(Backend.Answer.ok(1)));
                    stormWire[1] = received(backends);
                }));
            }
            events.add(new TimedBlock.Event(at, () -> wire[index] = received(backends)));
        }
        TimedBlock.Result result = TimedBlock.run(contender, THREADS, BLOCK_MILLIS, 2_000_000, CALL_INTERVAL_NANOS,
                events.toArray(TimedBlock.Event[]::new));
        Samples samples = result.block().samples();
        long[] calls = new long[buckets];
        long stormFrom = STORM_FROM_MILLIS * 1_000_000;
        long stormTo = STORM_TO_MILLIS * 1_000_000;
        for (int i = 0; i < samples.size(); i++) {
            long start = samples.start(i);
            calls[(int) Math.min(buckets - 1, start / (SAMPLE_MILLIS * 1_000_000))]++;
            if (start < stormTo) {
                outcome.callsUntilStormEnd++;
            }
            if (start >= stormFrom && start < stormTo) {
                outcome.stormCalls++;
                if (samples.succeeded(i)) {
                    outcome.stormSuccesses++;
                }
            }
        }
        outcome.stormWire += stormWire[1] - stormWire[0];
        outcome.blocks++;
        if (outcome.timeline == null) {
            outcome.timeline = new ArrayList<>();
            for (int bucket = 0; bucket < buckets; bucket++) {
                if (calls[bucket] > 0) {
                    outcome.timeline.add(new double[] {(bucket + 0.5) * SAMPLE_MILLIS / 1e3,
                        (double) (wire[bucket + 1] - wire[bucket]) / calls[bucket]});
                }
            }
        }
    }

    private static long received(List<Backend> backends) {
        return backends.stream().mapToLong(Backend::received).sum();
    }
}
