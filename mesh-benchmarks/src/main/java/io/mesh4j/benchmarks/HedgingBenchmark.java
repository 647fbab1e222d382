package io.mesh4j.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.BalancerConfig;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.lb.OutlierEjectionConfig;
import io.mesh4j.resilience.HedgingConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Request;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Tail latency of a service with one slow instance, with and without hedging, over real loopback HTTP: ten JDK
 * {@code HttpServer} backends, one of which answers after 20 ms while the others answer at once. Sample-time mode
 * gives the latency distribution per configuration; compare the {@code p0.99} rows. At the end of each trial the
 * benchmark prints how many requests the servers received per call, which is the extra traffic hedging costs (the
 * retry budget bounds it to 20% of calls plus 10 per second). Calls go through {@code MeshClient.newCall}, which
 * hedges.
 *
 * <p>{@code hedging}: {@code OFF}; {@code UNREACHED} hedges after 10 s, which no call here reaches: the cost of the
 * call path that may hedge, alone; {@code FIXED_5MS} hedges after 5 ms; {@code P85} hedges after the 85th
 * percentile of recent answers (at least 1 ms): above the one call in ten that round robin sends to the slow
 * instance, and wanting hedges for 15% of calls, within the budget's 20% (a lower percentile is refused at build).
 * The JMH option {@code -t 4} runs four calling threads.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -jar mesh-benchmarks/target/benchmarks.jar HedgingBenchmark -f 1 -wi 2 -w 3s -i 3 -r 5s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HedgingBenchmark {

    private static final int INSTANCES = 10;
    private static final long SLOW_MILLIS = 20;
    private static final byte[] BODY = "ok".getBytes(StandardCharsets.US_ASCII);

    @Param({"ROUND_ROBIN", "PEAK_EWMA"})
    public String balancer;

    @Param({"OFF", "UNREACHED", "FIXED_5MS", "P85"})
    public String hedging;

    private final List<HttpServer> servers = new ArrayList<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private ScheduledExecutorService slowAnswers;
    private ExecutorService serverThreads;
    private MeshClient mesh;
    private Request request;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        slowAnswers = Executors.newScheduledThreadPool(2);
        serverThreads = Executors.newCachedThreadPool();
        List<ServiceInstance> instances = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            boolean slow = i == 0;
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
            server.createContext("/", exchange -> {
                received.incrementAndGet();
                if (slow) {
                    slowAnswers.schedule(() -> answer(exchange), SLOW_MILLIS, TimeUnit.MILLISECONDS);
                } else {
                    answer(exchange);
                }
            });
            server.setExecutor(serverThreads);
            server.start();
            servers.add(server);
            instances.add(ServiceInstance.builder("orders", "127.0.0.1", server.getAddress().getPort())
                    .id((slow ? "slow-" : "fast-") + i).build());
        }
        ServiceSettings.Builder settings = ServiceSettings.custom()
                .balancer(LoadBalancers.of(BalancerConfig.custom().algorithm(Algorithm.valueOf(balancer))
                        .outlierEjection(OutlierEjectionConfig.disabled()).build()));
        if (hedging.equals("UNREACHED")) {
            settings.hedging(HedgingConfig.custom().delay(Duration.ofSeconds(10)).build());
        } else if (hedging.equals("FIXED_5MS")) {
            settings.hedging(HedgingConfig.custom().delay(Duration.ofMillis(5)).build());
        } else if (hedging.equals("P85")) {
            settings.hedging(HedgingConfig.custom().delayPercentile(85).delay(Duration.ofMillis(5)).build());
        }
        mesh = MeshClient.builder().discovery(StaticDiscovery.of(instances)).defaultSettings(settings.build())
                .accessLogLevel(null).build();
        request = new Request.Builder().url("http://orders/items").build();
    }

    private static void answer(HttpExchange exchange) {
        try (exchange) {
            exchange.sendResponseHeaders(200, BODY.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(BODY);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.printf(Locale.ROOT, "%n%s/%s: %d calls, %.3f requests per call%n", balancer, hedging, calls.get(),
                (double) received.get() / calls.get());
        mesh.close();
        servers.forEach(server -> server.stop(0));
        slowAnswers.shutdownNow();
        serverThreads.shutdownNow();
    }

    @Benchmark
    public int call() throws IOException {
        calls.incrementAndGet();
        try (Response response = mesh.newCall(request).execute()) {
            response.body().bytes();
            return response.code();
        }
    }
}
