package io.mesh4j.benchmarks;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the OpenTelemetry SDK itself costs for the spans one mesh call records, without the mesh: an INTERNAL span
 * and a CLIENT child span with the same attributes {@code TelemetryBenchmark}'s {@code TRACING} call sets, the W3C
 * {@code traceparent} injected into a request builder, both spans ended through the same batch processor and
 * dropping exporter. Subtracted from {@code TelemetryBenchmark}'s {@code TRACING} figure, it leaves the mesh's own
 * cost with tracing on.
 *
 * <p>Run side by side with {@code TelemetryBenchmark} (see there).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TracingBaselineBenchmark {

    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> URL = AttributeKey.stringKey("url.full");
    private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> MESH_SERVICE = AttributeKey.stringKey("mesh.service");
    private static final AttributeKey<String> MESH_INSTANCE = AttributeKey.stringKey("mesh.instance.id");
    private static final AttributeKey<String> MESH_BALANCER = AttributeKey.stringKey("mesh.balancer");
    private static final AttributeKey<String> MESH_ATTEMPT_KIND = AttributeKey.stringKey("mesh.attempt.kind");
    private static final AttributeKey<Long> MESH_ATTEMPTS = AttributeKey.longKey("mesh.attempts");

    private OpenTelemetrySdk openTelemetry;
    private Tracer tracer;
    private TextMapPropagator propagator;
    private Request request;

    @Setup
    public void setUp() {
        openTelemetry = DroppingExporter.batchingSdk();
        tracer = openTelemetry.getTracer("io.mesh4j.client");
        propagator = openTelemetry.getPropagators().getTextMapPropagator();
        request = new Request.Builder().url("http://orders/v1/items?q=1").build();
    }

    @TearDown
    public void tearDown() {
        openTelemetry.close();
    }

    @Benchmark
    public Request sdkSpansOnly() {
        Context current = Context.current();
        Span call = tracer.spanBuilder("GET").setSpanKind(SpanKind.INTERNAL).setParent(current)
                .setAttribute(METHOD, "GET")
                .setAttribute(URL, "http://orders/v1/items?q=1")
                .setAttribute(SERVER_ADDRESS, "orders")
                .setAttribute(MESH_SERVICE, "orders")
                .setAttribute(MESH_BALANCER, "round_robin")
                .startSpan();
        Context parent = current.with(call);
        Span attempt = tracer.spanBuilder("GET").setSpanKind(SpanKind.CLIENT).setParent(parent)
                .setAttribute(METHOD, "GET")
                .setAttribute(URL, "http://10.0.0.1:8080/v1/items?q=1")
                .setAttribute(SERVER_ADDRESS, "10.0.0.1")
                .setAttribute(SERVER_PORT, 8080L)
                .setAttribute(MESH_SERVICE, "orders")
                .setAttribute(MESH_INSTANCE, "10.0.0.1:8080")
                .setAttribute(MESH_ATTEMPT_KIND, "first")
                .startSpan();
        Request.Builder builder = request.newBuilder();
        propagator.inject(parent.with(attempt), builder, (carrier, key, value) -> carrier.header(key, value));
        attempt.setAttribute(STATUS, 200L);
        attempt.end();
        call.setAttribute(MESH_ATTEMPTS, 1L);
        call.setAttribute(STATUS, 200L);
        call.end();
        return builder.build();
    }
}
