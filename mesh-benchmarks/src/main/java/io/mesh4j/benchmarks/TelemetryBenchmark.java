package io.mesh4j.benchmarks;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.MeshInterceptor;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.lb.LoadBalancers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The interceptor's cost per call with telemetry off and on, side by side: {@code NONE} configures neither
 * Micrometer nor OpenTelemetry (and no access log); {@code METRICS} records to a {@code SimpleMeterRegistry};
 * {@code TRACING} records to an OpenTelemetry SDK whose spans go through a {@code BatchSpanProcessor} (what
 * production setups use) to an exporter that drops them, so span creation, attributes and the hand-off to the
 * export queue are counted on the calling thread, and the export itself runs on the processor's thread;
 * {@code METRICS_AND_TRACING} does both. Round robin over 3
 * instances, against a chain that answers at once.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -jar mesh-benchmarks/target/benchmarks.jar TelemetryBenchmark -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TelemetryBenchmark {

    @Param({"NONE", "METRICS", "TRACING", "METRICS_AND_TRACING"})
    public String telemetry;

    private MeshClient mesh;
    private OpenTelemetrySdk openTelemetry;
    private MeshInterceptor interceptor;
    private AnsweringChain chain;

    @Setup
    public void setUp() {
        List<ServiceInstance> instances = Fixtures.orders(3);
        MeshClient.Builder builder = MeshClient.builder()
                .discovery(StaticDiscovery.of(instances))
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build())
                .accessLogLevel(null);
        if (telemetry.contains("METRICS")) {
            builder.meterRegistry(new SimpleMeterRegistry());
        }
        if (telemetry.contains("TRACING")) {
            openTelemetry = DroppingExporter.batchingSdk();
            builder.openTelemetry(openTelemetry);
        }
        mesh = builder.build();
        interceptor = mesh.interceptor();
        chain = Fixtures.answering200(new Request.Builder().url("http://orders/v1/items?q=1").build());
    }

    @TearDown
    public void tearDown() {
        mesh.close();
        if (openTelemetry != null) {
            openTelemetry.close();
        }
    }

    @Benchmark
    public Response meshCall() throws IOException {
        return chain.callThrough(interceptor);
    }
}
