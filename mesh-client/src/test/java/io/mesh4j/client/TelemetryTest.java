package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mesh4j.api.NoHealthyInstanceException;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.resilience.RetryConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class TelemetryTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk openTelemetry = InMemoryTracing.exportingTo(spans);
    private final ListAppender<ILoggingEvent> accessLog = new ListAppender<>();
    private MockWebServer server;
    private StaticDiscovery discovery;
    private MeshClient mesh;

    @BeforeEach
    void setUp() throws IOException {
        server = new MockWebServer();
        server.start();
        discovery = StaticDiscovery.of(
                ServiceInstance.builder("orders", server.getHostName(), server.getPort()).id("orders-1").build());
        mesh = MeshClient.builder()
                .discovery(discovery)
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin())
                        .retry(RetryConfig.disabled()).build())
                .meterRegistry(meters)
                .openTelemetry(openTelemetry)
                .accessLogLevel(Level.INFO)
                .build();
        accessLog.start();
        ((Logger) LoggerFactory.getLogger("io.mesh4j.access")).addAppender(accessLog);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger("io.mesh4j.access")).detachAppender(accessLog);
        mesh.close();
        server.close();
        openTelemetry.close();
    }

    private int call(Request request) throws IOException {
        try (Response response = mesh.okHttpClient().newCall(request).execute()) {
            response.body().string();
            return response.code();
        }
    }

    private static Request get(String url) {
        return new Request.Builder().url(url).build();
    }

    @Test
    void shouldRecordTimerAndAttemptCounterWhenCallSucceeds() throws IOException {
        server.enqueue(new MockResponse.Builder().code(200).build());
        server.enqueue(new MockResponse.Builder().code(503).build());

        call(get("http://orders/a"));
        call(get("http://orders/b"));

        assertThat(meters.get("mesh.client.requests").tags("service", "orders", "method", "GET", "status", "2xx",
                "outcome", "success").timer().count()).isEqualTo(1);
        assertThat(meters.get("mesh.client.requests").tags("status", "5xx", "outcome", "server_error").timer()
                .count()).isEqualTo(1);
        assertThat(meters.get("mesh.client.attempts").tags("service", "orders", "instance", "orders-1", "kind",
                "first", "outcome", "success").counter().count()).isEqualTo(1.0);
        assertThat(meters.get("mesh.client.attempts").tags("outcome", "server_error").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void shouldReportInstancesAndActiveCallsWhenServiceIsUsed() throws IOException {
        server.enqueue(new MockResponse.Builder().code(200).build());
        call(get("http://orders/a"));

        assertThat(meters.get("mesh.service.instances").tags("service", "orders", "state", "total").gauge().value())
                .isEqualTo(1.0);
        assertThat(meters.get("mesh.service.instances").tags("state", "healthy").gauge().value()).isEqualTo(1.0);
        assertThat(meters.get("mesh.service.instances").tags("state", "ejected").gauge().value()).isZero();
        assertThat(meters.get("mesh.client.requests.active").tags("service", "orders").gauge().value()).isZero();
        assertThat(meters.get("mesh.client.retry.budget").tags("service", "orders").gauge().value())
                .isEqualTo(RetryConfig.ofDefaults().budgetMinPerSecond() * 10.0);
        assertThat(meters.find("mesh.client.circuit.state").gauges()).as("no breaker configured").isEmpty();
        assertThat(meters.get("mesh.discovery.staleness").tags("service", "orders").gauge().value())
                .as("static discovery is never stale").isNaN();

        mesh.close();

        assertThat(meters.find("mesh.service.instances").gauges()).isEmpty();
        assertThat(meters.find("mesh.client.requests.active").gauges()).isEmpty();
    }

    @Test
    void shouldRecordNoInstanceOutcomeWhenServiceHasNone() {
        discovery.setInstances("orders", List.of());

        assertThatThrownBy(() -> call(get("http://orders/a"))).isInstanceOf(NoHealthyInstanceException.class);

        assertThat(meters.get("mesh.client.requests").tags("status", "none", "outcome", "no_instance").timer()
                .count()).isEqualTo(1);
        SpanData span = spans.getFinishedSpanItems().get(0);
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type")))
                .isEqualTo(NoHealthyInstanceException.class.getName());
    }

    @Test
    void shouldLeaveInstanceTagEmptyWhenInstanceTagsAreOff() throws IOException {
        MeshClient untagged = mesh.newBuilder().meterInstanceTags(false).build();
        server.enqueue(new MockResponse.Builder().code(200).build());

        try (Response response = untagged.okHttpClient().newCall(get("http://orders/a")).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        untagged.close();

        assertThat(meters.get("mesh.client.attempts").tags("instance", "").counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldContinueCallersTraceAndSendTraceparentWhenTracing() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).build());
        Span parent = openTelemetry.getTracer("test").spanBuilder("caller").startSpan();

        try (Scope ignored = parent.makeCurrent()) {
            call(get("http://orders/v1/items?q=1&token=s3cr3t"));
        }
        parent.end();

        RecordedRequest received = server.takeRequest(5, TimeUnit.SECONDS);
        String traceparent = received.getHeaders().get("traceparent");
        assertThat(traceparent).startsWith("00-" + parent.getSpanContext().getTraceId() + "-");
        List<SpanData> finished = spans.getFinishedSpanItems();
        SpanData attempt = finished.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
        SpanData logical = finished.stream().filter(s -> s.getKind() == SpanKind.INTERNAL).findFirst().orElseThrow();
        assertThat(traceparent).contains(attempt.getSpanId());
        assertThat(attempt.getParentSpanId()).isEqualTo(logical.getSpanId());
        assertThat(logical.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
        assertThat(attempt.getAttributes().get(AttributeKey.stringKey("http.request.method"))).isEqualTo("GET");
        assertThat(attempt.getAttributes().get(AttributeKey.stringKey("server.address")))
                .isEqualTo(server.getHostName());
        assertThat(attempt.getAttributes().get(AttributeKey.longKey("server.port"))).isEqualTo(server.getPort());
        assertThat(attempt.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200);
        assertThat(attempt.getAttributes().get(AttributeKey.stringKey("url.full")))
                .endsWith("/v1/items?q=1&token=REDACTED");
        assertThat(attempt.getAttributes().get(AttributeKey.stringKey("mesh.instance.id"))).isEqualTo("orders-1");
        assertThat(attempt.getAttributes().get(AttributeKey.stringKey("mesh.attempt.kind"))).isEqualTo("first");
        assertThat(attempt.getAttributes().get(AttributeKey.longKey("http.request.resend_count"))).isNull();
        assertThat(logical.getAttributes().get(AttributeKey.stringKey("mesh.service"))).isEqualTo("orders");
        assertThat(logical.getAttributes().get(AttributeKey.stringKey("mesh.balancer"))).isEqualTo("round_robin");
        assertThat(logical.getAttributes().get(AttributeKey.stringKey("url.full")))
                .isEqualTo("http://orders/v1/items?q=1&token=REDACTED");
    }

    @Test
    void shouldContinueCallersTraceWhenCallIsAsynchronous() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).build());
        Span parent = openTelemetry.getTracer("test").spanBuilder("caller").startSpan();
        java.util.concurrent.CompletableFuture<Integer> done = new java.util.concurrent.CompletableFuture<>();

        try (Scope ignored = parent.makeCurrent()) {
            mesh.okHttpClient().newCall(get("http://orders/async")).enqueue(new okhttp3.Callback() {
                @Override
                public void onFailure(okhttp3.Call call, IOException e) {
                    done.completeExceptionally(e);
                }

                @Override
                public void onResponse(okhttp3.Call call, Response response) {
                    response.close();
                    done.complete(response.code());
                }
            });
        }
        parent.end();

        assertThat(done.get(5, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("traceparent"))
                .startsWith("00-" + parent.getSpanContext().getTraceId() + "-");
    }

    @Test
    void shouldMarkAttemptSpanAsErrorWhenConnectionFails() throws IOException {
        discovery.setInstances("orders",
                List.of(ServiceInstance.builder("orders", "127.0.0.1", Backends.closedPort()).id("down").build()));

        assertThatThrownBy(() -> call(get("http://orders/a"))).isInstanceOf(java.net.ConnectException.class);

        SpanData attempt = spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CLIENT)
                .findFirst().orElseThrow();
        assertThat(attempt.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attempt.getAttributes().get(AttributeKey.stringKey("error.type")))
                .isEqualTo("java.net.ConnectException");
        assertThat(meters.get("mesh.client.requests").tags("outcome", "network_error").timer().count()).isEqualTo(1);
    }

    @Test
    void shouldWriteOneAccessLineWithoutSecretsWhenCallEnds() throws IOException {
        server.enqueue(new MockResponse.Builder().code(201).build());

        call(new Request.Builder().url("http://orders/v1/items?token=s3cr3t")
                .header("Authorization", "Bearer abc.def")
                .header("X-Consul-Token", "acl-123")
                .post(okhttp3.RequestBody.create(new byte[0]))
                .build());

        assertThat(accessLog.list).hasSize(1);
        String line = accessLog.list.get(0).getFormattedMessage();
        assertThat(line).contains("service=orders", "instance=orders-1", "method=POST", "path=/v1/items",
                "status=201", "outcome=success", "attempts=1", "duration_ms=");
        assertThat(line).doesNotContain("s3cr3t", "Bearer", "abc.def", "acl-123", "token");
        assertThat(accessLog.list.get(0).getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO);
    }
}
