package io.mesh4j.samples;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.resilience.HedgingConfig;
import java.io.IOException;
import java.time.Duration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Quick start: three instances of an {@code orders} service on loopback (the third one 20 times slower), a
 * {@link MeshClient} over static discovery, and requests to {@code http://orders/...} spread over the instances,
 * first by round robin, then by round robin with hedging (a backup request to another instance when an answer takes
 * more than 5 ms), then by the default peak-EWMA balancer, which learns to avoid the slow instance; and at the end a
 * summary of the Micrometer metrics the last client recorded.
 *
 * <p>Run it from the repository root: {@code mvn -B -q -Pdemo -pl samples -am verify -DskipTests}.
 */
public final class QuickStart {

    private static final int REQUESTS = 30;

    private QuickStart() {
    }

    public static void main(String[] args) throws IOException {
        List<LoopbackBackend> backends = new ArrayList<>();
        List<ServiceInstance> instances = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            LoopbackBackend server = new LoopbackBackend("orders-" + i).delay(i == 3 ? 20 : 1);
            backends.add(server);
            instances.add(ServiceInstance.builder("orders", "127.0.0.1", server.port())
                    .id("orders-" + i)
                    .build());
        }

        StaticDiscovery discovery = StaticDiscovery.of(instances);
        ServiceSettings roundRobin = ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build();
        try (MeshClient mesh = MeshClient.builder().discovery(discovery).defaultSettings(roundRobin).build()) {
            System.out.println("Round robin: " + REQUESTS + " requests to http://orders/v1/items");
            spread(mesh, REQUESTS);
        }
        ServiceSettings hedged = ServiceSettings.from(roundRobin)
                .hedging(HedgingConfig.custom().delay(Duration.ofMillis(5)).build())
                .build();
        SimpleMeterRegistry hedgeMeters = new SimpleMeterRegistry();
        try (MeshClient mesh = MeshClient.builder().discovery(discovery).defaultSettings(hedged)
                .meterRegistry(hedgeMeters).build()) {
            System.out.println("Round robin with hedging after 5 ms: " + REQUESTS + " requests");
            spread(mesh, REQUESTS);
            System.out.printf("  hedges sent: %.0f%n", hedgeMeters.find("mesh.client.attempts").tag("kind", "hedge")
                    .counters().stream().mapToDouble(Counter::count).sum());
        }
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (MeshClient mesh = MeshClient.builder().discovery(discovery).meterRegistry(meters).build()) {
            Call.Factory http = mesh;
            System.out.println("Peak-EWMA (the default), orders-3 answering in 20 ms, the others in 1 ms: "
                    + 10 * REQUESTS + " requests");
            spread(http, 10 * REQUESTS);

            discovery.removeInstance("orders", "orders-2");
            System.out.println("Removed orders-2 from discovery; the next 4 requests go to: "
                    + List.of(get(http, "http://orders/"), get(http, "http://orders/"),
                            get(http, "http://orders/"), get(http, "http://orders/")));
            printMetrics(meters);
        } finally {
            backends.forEach(LoopbackBackend::close);
        }
    }

    private static void printMetrics(SimpleMeterRegistry meters) {
        System.out.println("Metrics of the peak-EWMA client:");
        for (Timer timer : meters.find("mesh.client.requests").timers()) {
            System.out.printf("  mesh.client.requests{service=%s,status=%s,outcome=%s}: %d calls, mean %.2f ms,"
                    + " max %.2f ms%n", timer.getId().getTag("service"), timer.getId().getTag("status"),
                    timer.getId().getTag("outcome"), timer.count(), timer.mean(TimeUnit.MILLISECONDS),
                    timer.max(TimeUnit.MILLISECONDS));
        }
        meters.find("mesh.client.attempts").counters().stream()
                .sorted(Comparator.comparing(counter -> counter.getId().getTag("instance")))
                .forEach(counter -> System.out.printf("  mesh.client.attempts{instance=%s,outcome=%s}: %.0f%n",
                        counter.getId().getTag("instance"), counter.getId().getTag("outcome"), counter.count()));
        for (Gauge gauge : meters.find("mesh.service.instances").gauges()) {
            System.out.printf("  mesh.service.instances{state=%s}: %.0f%n", gauge.getId().getTag("state"),
                    gauge.value());
        }
    }

    private static void spread(Call.Factory http, int requests) throws IOException {
        Map<String, Integer> answeredBy = new TreeMap<>();
        int slow = 0;
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            answeredBy.merge(get(http, "http://orders/v1/items?page=" + i), 1, Integer::sum);
            slow += System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(15) ? 1 : 0;
        }
        answeredBy.forEach((instance, count) -> System.out.printf("  %-9s answered %3d requests %s%n", instance,
                count, "#".repeat((count * 30 + requests - 1) / requests)));
        System.out.printf("  calls slower than 15 ms: %d%n", slow);
    }

    private static String get(Call.Factory http, String url) throws IOException {
        try (Response response = http.newCall(new Request.Builder().url(url).build()).execute()) {
            return response.body().string();
        }
    }
}
