package io.mesh4j.benchmarks.scenarios;

import io.mesh4j.api.ServiceDiscovery;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.discovery.consul.ConsulDiscovery;
import io.mesh4j.lb.LoadBalancers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Scenario 5, discovery propagation: a Consul stand-in ({@link ConsulStandIn}) lists four backends; two threads
 * call the service back to back with round robin, so every listed instance is called all the time. Each round waits
 * a random part of the poll period, deregisters one instance, and a second one a second later, then measures for
 * each the time from its deregistration to the last request it read; then both are registered again and the round
 * waits until both are called. Mesh4j's {@link ConsulDiscovery} (blocking queries) runs next to polling discovery
 * ({@link PollingDiscovery}) every second and every 35 s (Spring Cloud LoadBalancer's default cache TTL). Stork's
 * default refresh period, 5 minutes, is measured only at the {@code LONG} pace.
 */
final class PropagationScenario implements Scenario {

    private static final String SERVICE = "orders";
    private static final int INSTANCES = 4;
    /** An instance that read nothing for this long after its deregistration is taken as gone from the traffic. */
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Loopback loopback;

    PropagationScenario(Loopback loopback) {
        this.loopback = loopback;
    }

    @Override
    public String id() {
        return "propagation";
    }

    /** How one contender learns of changes: blocking queries, or polling every {@code periodMillis}. */
    private record Discovery(String name, long periodMillis, int rounds) {

        boolean blocking() {
            return periodMillis == 0;
        }
    }

    @Override
    public Report run(Pace pace) throws Exception {
        Report report = new Report(id(), "Discovery propagation: blocking queries against polling");
        List<Discovery> discoveries = new ArrayList<>(List.of(
                new Discovery("Mesh4j ConsulDiscovery (blocking queries)", 0, pace.rounds(5)),
                new Discovery("polling every 1 s", 1_000, pace.rounds(4)),
                new Discovery("polling every 35 s (Spring Cloud LoadBalancer's default)", 35_000,
                        pace == Pace.SHORT ? 0 : pace.rounds(1))));
        if (pace == Pace.LONG) {
            discoveries.add(new Discovery("polling every 5 min (Stork's default)", 300_000, 1));
        }
        report.text("Two calling threads, round robin over four backends that answer after 1 ms. Each round, "
                + "after a random part of the poll period (for blocking queries 1 to 1.5 s after the last change): "
                + "one instance deregistered, a second one 1 s later; for each, the time from its deregistration to "
                + "the last request it read. Then both come back and the round waits until both are called. "
                + "\"Consul queries per minute\" counts every query the stand-in received while the contender ran.");
        long blockingMax = 0;
        Table table = new Table("discovery", "changes", "first change: p50 / max ms", "second change (1 s later): "
                + "p50 / max ms", "Consul queries per minute");
        List<String> names = new ArrayList<>();
        List<double[]> chart = new ArrayList<>();
        for (Discovery discovery : discoveries) {
            if (discovery.rounds() == 0) {
                continue;
            }
            long[][] delaysNanos = new long[2][discovery.rounds()];
            double queriesPerMinute = measure(discovery, delaysNanos);
            long[] first = sorted(delaysNanos[0]);
            long[] second = sorted(delaysNanos[1]);
            table.row(discovery.name(), 2 * discovery.rounds(),
                    Table.millis(Samples.quantile(first, 0.5)) + " / " + Table.millis(first[first.length - 1]),
                    Table.millis(Samples.quantile(second, 0.5)) + " / " + Table.millis(second[second.length - 1]),
                    Table.fixed(queriesPerMinute, 1));
            names.add(discovery.name());
            long[] all = sorted(concat(first, second));
            if (discovery.blocking()) {
                blockingMax = all[all.length - 1];
            }
            chart.add(new double[] {Samples.quantile(all, 0.5) / 1e6, all[all.length - 1] / 1e6});
        }
        report.table(table);
        report.target("blocking queries carry each change, also two changes 1 s apart, within one round trip: every "
                + "delay under 100 ms (a loopback round trip is about 2 ms; a second query would come at least 500 ms "
                + "later)", blockingMax < TimeUnit.MILLISECONDS.toNanos(100),
                "largest delay " + Table.millis(blockingMax) + " ms");
        if (pace != Pace.LONG) {
            report.text("Stork's default period (5 min) is left out at this pace: a poller's delay is the time to "
                    + "its next poll, as the rows above show, so expect up to 5 min (2.5 min on average). "
                    + "`--pace LONG` measures it once.");
        }
        report.chart("delay", SvgChart.bars("Deregistration to the last request at the removed instance (ms, log "
                + "scale)", "ms", names, List.of("p50", "max"), chart.toArray(double[][]::new), true));
        return report;
    }

    /** Runs the rounds of one contender, filling the delays; returns the Consul queries per minute it caused. */
    private double measure(Discovery kind, long[][] delaysNanos) throws Exception {
        List<Backend> backends = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> callers = new ArrayList<>();
        try (ConsulStandIn consul = new ConsulStandIn(SERVICE)) {
            for (int i = 0; i < INSTANCES; i++) {
                Backend backend = loopback.start("i" + i, Backend.Answer.ok(1));
                backends.add(backend);
                consul.register(backend.id(), backend.port());
            }
            long began = System.nanoTime();
            PollingDiscovery polling = kind.blocking() ? null
                    : new PollingDiscovery(consul.url(), SERVICE, kind.periodMillis());
            ServiceDiscovery discovery = kind.blocking()
                    ? ConsulDiscovery.builder().agentUrl(consul.url()).build() : polling.discovery();
            try (MeshClient mesh = MeshClient.builder().discovery(discovery).defaultSettings(ServiceSettings.custom()
                    .balancer(LoadBalancers.roundRobin()).build()).build()) {
                for (int t = 0; t < 2; t++) {
                    Thread caller = new Thread(() -> callUntilStopped(mesh, running), "propagation-caller-" + t);
                    callers.add(caller);
                    caller.start();
                }
                long bound = TimeUnit.MILLISECONDS.toNanos(kind.periodMillis() + 5_000);
                awaitCalled(backends, bound);
                for (int round = 0; round < kind.rounds(); round++) {
                    Backend first = backends.get(round % INSTANCES);
                    Backend second = backends.get((round + 1) % INSTANCES);
                    // A random phase against the poller's period. For blocking queries the change comes at least
                    // 1 s after the last one (the re-registrations), as the target asks: ConsulDiscovery spaces its
                    // queries at least 500 ms apart after a burst of two, so closer changes wait for that.
                    TimeUnit.MILLISECONDS.sleep(kind.blocking() ? 1_000 + ThreadLocalRandom.current().nextLong(500)
                            : ThreadLocalRandom.current().nextLong(kind.periodMillis()));
                    long firstAt = System.nanoTime();
                    consul.deregister(first.id());
                    TimedBlock.sleepUntil(firstAt + TimeUnit.SECONDS.toNanos(1));
                    long secondAt = System.nanoTime();
                    consul.deregister(second.id());
                    delaysNanos[0][round] = awaitGone(first, firstAt, bound);
                    delaysNanos[1][round] = awaitGone(second, secondAt, bound);
                    consul.register(first.id(), first.port());
                    consul.register(second.id(), second.port());
                    awaitCalled(List.of(first, second), bound);
                }
            } finally {
                running.set(false);
                for (Thread caller : callers) {
                    caller.join(10_000);
                }
                if (polling != null) {
                    polling.close();
                } else {
                    discovery.close();
                }
            }
            return consul.queries() * 60e9 / (System.nanoTime() - began);
        } finally {
            backends.forEach(Backend::close);
        }
    }

    private static void callUntilStopped(MeshClient mesh, AtomicBoolean running) {
        Request request = new Request.Builder().url("http://" + SERVICE + "/").build();
        while (running.get()) {
            try (Response response = mesh.newCall(request).execute()) {
                response.body().bytes();
            } catch (Exception e) {
                // Before the first answer from discovery the service is unknown: keep calling.
            }
        }
    }

    /** Waits until each backend read a request after this call, at most {@code boundNanos}. */
    private static void awaitCalled(List<Backend> backends, long boundNanos) throws InterruptedException {
        backends.forEach(Backend::mark);
        long deadline = System.nanoTime() + boundNanos;
        while (backends.stream().anyMatch(backend -> backend.firstRequestAfterMark() == 0)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("an instance got no traffic within "
                        + TimeUnit.NANOSECONDS.toMillis(boundNanos) + " ms of its registration");
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    /**
     * Waits until {@code backend} read nothing for {@link #QUIET_NANOS}, at most {@code boundNanos} after
     * {@code removedAt}; returns the time from {@code removedAt} to the last request it read.
     */
    private static long awaitGone(Backend backend, long removedAt, long boundNanos) throws InterruptedException {
        long deadline = removedAt + boundNanos;
        while (System.nanoTime() - Math.max(removedAt, backend.lastRequestNanos()) < QUIET_NANOS) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("instance " + backend.id() + " was still called "
                        + TimeUnit.NANOSECONDS.toMillis(boundNanos) + " ms after its deregistration");
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return Math.max(0, backend.lastRequestNanos() - removedAt);
    }

    private static long[] sorted(long[] values) {
        long[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
