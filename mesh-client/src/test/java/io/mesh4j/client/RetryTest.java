package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mesh4j.api.AttemptsFailedException;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.BalancerConfig;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.lb.OutlierEjectionConfig;
import io.mesh4j.resilience.RetryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries against real loopback servers, asserted by what the servers received. */
class RetryTest {

    private static final RetryConfig FAST = RetryConfig.custom().backoffBase(Duration.ZERO)
            .backoffMax(Duration.ZERO).build();

    private final RecordingBackends backends = new RecordingBackends();
    private MeshClient mesh;

    /** Starts a backend that answers with {@code answer}; it records every request's X-Call header. */
    private void backend(Function<RecordedRequest, MockResponse> answer) {
        backends.add(answer);
    }

    private static MockResponse status(int code) {
        return new MockResponse.Builder().code(code).body("from " + code).build();
    }

    private MeshClient mesh(RetryConfig retry, OkHttpClient base) {
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(backends.instances()))
                .okHttpClient(base)
                .defaultSettings(ServiceSettings.custom()
                        .balancer(LoadBalancers.of(BalancerConfig.custom().algorithm(Algorithm.ROUND_ROBIN)
                                .outlierEjection(OutlierEjectionConfig.disabled()).build()))
                        .retry(retry)
                        .build())
                .build();
        return mesh;
    }

    private MeshClient mesh(RetryConfig retry) {
        return mesh(retry, new OkHttpClient());
    }

    /** A mesh over the backends with {@code settings}, recording into {@code meters}, on a ticker that stands still. */
    private void measuredMesh(SimpleMeterRegistry meters, ServiceSettings settings) {
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(backends.instances()))
                .ticker(new ManualTicker())
                .meterRegistry(meters)
                .defaultSettings(settings)
                .build();
    }

    private static int call(MeshClient mesh, Request request) throws IOException {
        try (Response response = mesh.okHttpClient().newCall(request).execute()) {
            response.body().string();
            return response.code();
        }
    }

    @AfterEach
    void tearDown() {
        if (mesh != null) {
            mesh.close();
        }
        backends.close();
    }

    @Test
    void shouldEndAtOnceAndSendNothingMoreWhenCallIsCancelledWhileWaitingToRetry() throws Exception {
        SimpleMeterRegistry meters = meshOverBackendsAskingTenSeconds();
        Call call = mesh.newCall(new Request.Builder().url("http://orders/a").build());

        Throwable failure = cancelOnceFirstAttemptEnded(call, meters);

        assertThat(failure).isInstanceOf(IOException.class).hasMessageContaining("Canceled");
        assertThat(backends.total()).isEqualTo(1);
        assertThat(attempts(meters)).as("no attempt after the cancel, not even one that never went out").isEqualTo(1);
    }

    @Test
    void shouldEndAtOnceAndSendNothingMoreWhenCallThroughInterceptorIsCancelledWhileWaitingToRetry() throws Exception {
        SimpleMeterRegistry meters = meshOverBackendsAskingTenSeconds();
        OkHttpClient own = new OkHttpClient.Builder().addInterceptor(mesh.interceptor()).build();
        Call call = own.newCall(new Request.Builder().url("http://orders/a").build());

        Throwable failure = cancelOnceFirstAttemptEnded(call, meters);

        assertThat(failure).isInstanceOf(IOException.class).hasMessageContaining("Canceled");
        assertThat(backends.total()).isEqualTo(1);
        assertThat(attempts(meters)).isEqualTo(1);
    }

    @Test
    void shouldEndAtOnceAndSendNothingMoreWhenCallOnMeshClientIsCancelledWhileWaitingToRetry() throws Exception {
        SimpleMeterRegistry meters = meshOverBackendsAskingTenSeconds();
        Call call = mesh.okHttpClient().newCall(new Request.Builder().url("http://orders/a").build());

        Throwable failure = cancelOnceFirstAttemptEnded(call, meters);

        assertThat(failure).isInstanceOf(IOException.class).hasMessageContaining("Canceled");
        assertThat(backends.total()).isEqualTo(1);
        assertThat(attempts(meters)).isEqualTo(1);
    }

    @Test
    void shouldFreeDispatcherThreadAtOnceWhenEnqueuedCallThroughInterceptorIsCancelledWhileWaitingToRetry()
            throws Exception {
        SimpleMeterRegistry meters = meshOverBackendsAskingTenSeconds();
        OkHttpClient own = new OkHttpClient.Builder().addInterceptor(mesh.interceptor()).build();
        Call call = own.newCall(new Request.Builder().url("http://orders/a").build());
        CompletableFuture<String> answer = Calls.enqueue(call);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> attempts(meters) == 1);

        call.cancel();

        Throwable thrown = catchThrowable(() -> answer.get(5, TimeUnit.SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(IOException.class).hasMessageContaining("Canceled");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> own.dispatcher().runningCallsCount() == 0);
        assertThat(backends.total()).isEqualTo(1);
        assertThat(attempts(meters)).isEqualTo(1);
    }

    @Test
    void shouldEndAtCallTimeoutOfCallersClientWhenItFallsWhileWaitingToRetry() throws Exception {
        SimpleMeterRegistry meters = meshOverBackendsAskingTenSeconds();
        OkHttpClient own = new OkHttpClient.Builder().addInterceptor(mesh.interceptor())
                .callTimeout(Duration.ofMillis(300)).build();
        Call call = own.newCall(new Request.Builder().url("http://orders/a").build());
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<Response> executed = caller.submit(call::execute);

            Throwable thrown = catchThrowable(() -> executed.get(5, TimeUnit.SECONDS));

            assertThat(thrown).isInstanceOf(ExecutionException.class);
            assertThat(thrown.getCause()).isInstanceOf(InterruptedIOException.class).hasMessage("timeout");
            assertThat(backends.total()).isEqualTo(1);
            assertThat(attempts(meters)).isEqualTo(1);
        } finally {
            caller.shutdownNow();
        }
    }

    /**
     * A 503 that asks for a retry in 10 s: the mesh waits exactly that long before its next attempt (a backoff would
     * be drawn at random between zero and its bound, and could end before the test cancels).
     */
    private static MockResponse busyForTenSeconds() {
        return new MockResponse.Builder().code(503).setHeader("Retry-After", "10").body("busy").build();
    }

    /**
     * Two backends that answer {@link #busyForTenSeconds()} and a mesh over them that honours it, on a ticker that
     * stands still; returns the registry its meters record into.
     */
    private SimpleMeterRegistry meshOverBackendsAskingTenSeconds() {
        backend(request -> busyForTenSeconds());
        backend(request -> busyForTenSeconds());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        measuredMesh(meters, ServiceSettings.custom()
                .balancer(LoadBalancers.of(BalancerConfig.custom().algorithm(Algorithm.ROUND_ROBIN)
                        .outlierEjection(OutlierEjectionConfig.disabled()).build()))
                .retry(RetryConfig.custom().retryAfterMax(Duration.ofSeconds(10)).build())
                .build());
        return meters;
    }

    /**
     * Executes {@code call} on another thread, cancels it once its first attempt has ended (it then waits to retry),
     * and returns what the call threw, which it must within 5 s.
     */
    private static Throwable cancelOnceFirstAttemptEnded(Call call, SimpleMeterRegistry meters) throws Exception {
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<Response> executed = caller.submit(call::execute);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> attempts(meters) == 1);

            call.cancel();

            Throwable thrown = catchThrowable(() -> executed.get(5, TimeUnit.SECONDS));
            assertThat(thrown).isInstanceOf(ExecutionException.class);
            return thrown.getCause();
        } finally {
            caller.shutdownNow();
        }
    }

    private static double attempts(SimpleMeterRegistry meters) {
        return meters.find("mesh.client.attempts").counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    void shouldSucceedOnAnotherInstanceAndNeverRetrySameOneWhenGetFails() throws IOException {
        backend(r -> status(503));
        backend(r -> status(200));
        mesh(FAST);

        for (int i = 0; i < 10; i++) {
            assertThat(call(mesh, new Request.Builder().url("http://orders/x").header("X-Call", "c" + i).build()))
                    .isEqualTo(200);
        }

        assertThat(backends.received(1)).hasSize(10);
        assertThat(backends.received(0)).doesNotHaveDuplicates();
    }

    @Test
    void shouldNeverSendPostTwiceWhenAttemptTimedOutAfterSending() throws Exception {
        backend(r -> status(200).newBuilder().headersDelay(2, TimeUnit.SECONDS).build());
        backend(r -> status(200));
        OkHttpClient base = new OkHttpClient.Builder().readTimeout(Duration.ofMillis(200)).build();
        mesh(RetryConfig.from(FAST).maxAttempts(5).build(), base);

        assertThatThrownBy(() -> call(mesh, new Request.Builder().url("http://orders/pay").header("X-Call", "p1")
                .post(RequestBody.create("{}", MediaType.get("application/json"))).build()))
                .isInstanceOf(SocketTimeoutException.class);

        assertThat(backends.server(0).takeRequest(5, TimeUnit.SECONDS).getMethod()).isEqualTo("POST");
        assertThat(backends.received(1)).isEmpty();
        assertThat(backends.total()).isEqualTo(1);
    }

    @Test
    void shouldRetryPostWhenConnectionWasRefused() throws IOException {
        backends.instances().add(ServiceInstance.builder("orders", "127.0.0.1", Backends.closedPort()).id("down")
                .build());
        backend(r -> status(201));
        mesh(FAST);

        assertThat(call(mesh, new Request.Builder().url("http://orders/pay").header("X-Call", "p1")
                .post(RequestBody.create("{}", MediaType.get("application/json"))).build())).isEqualTo(201);

        assertThat(backends.received(0)).containsExactly("p1");
    }

    @Test
    void shouldRetryRefusedConnectionsElsewhereWhenRetryBudgetIsSpent() throws IOException {
        backends.instances().add(ServiceInstance.builder("orders", "127.0.0.1", Backends.closedPort()).id("down")
                .build());
        backend(r -> status(201));
        backend(r -> status(503));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        measuredMesh(meters, ServiceSettings.custom()
                .balancer(LoadBalancers.of(BalancerConfig.custom().algorithm(Algorithm.ROUND_ROBIN)
                        .outlierEjection(OutlierEjectionConfig.disabled()).build()))
                .retry(RetryConfig.from(FAST).budgetPercent(0).budgetMinPerSecond(0).build()).build());

        // No budget at all: a 503 is not retried, while a POST that met the refused port goes on to another
        // instance, whose answer it returns.
        List<Integer> codes = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            codes.add(call(mesh, new Request.Builder().url("http://orders/pay").header("X-Call", "p" + i)
                    .post(RequestBody.create("{}", MediaType.get("application/json"))).build()));
        }

        // Round robin: down then the 201 for the retry, the 503 (not retried, and no pick made for it), and again.
        assertThat(codes).containsExactly(201, 503, 201, 503, 201, 503);
        assertThat(backends.received(0)).containsExactly("p0", "p2", "p4");
        assertThat(backends.received(1)).as("503s were not retried").containsExactly("p1", "p3", "p5");
        assertThat(meters.get("mesh.client.attempts").tag("outcome", "connect_failure").counter().count())
                .as("every call but the 503s met the refused port first").isEqualTo(3.0);
        assertThat(meters.get("mesh.client.attempts").tag("kind", "retry").counter().count()).isEqualTo(3.0);
    }

    @Test
    void shouldNameEveryInstanceTriedWhenAllAttemptsFail() throws IOException {
        int first = Backends.closedPort();
        int second = Backends.closedPort();
        backends.instances().add(ServiceInstance.builder("orders", "127.0.0.1", first).id("down-1").build());
        backends.instances().add(ServiceInstance.builder("orders", "127.0.0.1", second).id("down-2").build());
        mesh(FAST);

        Throwable failure = catchThrowable(() -> call(mesh, new Request.Builder().url("http://orders/x").build()));

        assertThat(failure).isInstanceOf(AttemptsFailedException.class)
                .hasMessageStartingWith("All 2 attempts to service 'orders' failed: ")
                .hasMessageContaining("down-1 (127.0.0.1:" + first + "): ConnectException")
                .hasMessageContaining("down-2 (127.0.0.1:" + second + "): ConnectException")
                .hasCauseInstanceOf(ConnectException.class);
        assertThat(((AttemptsFailedException) failure).attempts()).hasSize(2);
        assertThat(failure.getSuppressed()).hasSize(1).allMatch(ConnectException.class::isInstance);
    }

    @Test
    void shouldEndWithLastAnswerWhenEveryInstanceWasTriedAndRetriesAreLeft() throws IOException {
        backend(r -> status(503));
        backend(r -> status(503));
        mesh(RetryConfig.from(FAST).maxAttempts(5).build());

        assertThat(call(mesh, new Request.Builder().url("http://orders/x").header("X-Call", "c1").build()))
                .isEqualTo(503);

        assertThat(backends.received(0)).containsExactly("c1");
        assertThat(backends.received(1)).containsExactly("c1");
    }

    @Test
    void shouldSpendNoRetryBudgetWhenNoUntriedInstanceIsLeft() throws IOException {
        backend(r -> status(503));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        measuredMesh(meters, ServiceSettings.custom().retry(RetryConfig.from(FAST).budgetPercent(100)
                .budgetMinPerSecond(0).build()).build());

        for (int i = 0; i < 10; i++) {
            assertThat(call(mesh, new Request.Builder().url("http://orders/x").header("X-Call", "c" + i).build()))
                    .isEqualTo(503);
        }

        assertThat(backends.received(0)).hasSize(10);
        assertThat(meters.find("mesh.client.retry.budget").gauge().value()).as("10 calls, no retry made")
                .isEqualTo(10.0);
    }

    @Test
    void shouldRetryPostWhenCallerMarkedItIdempotent() throws IOException {
        backend(r -> status(503));
        backend(r -> status(200));
        mesh(FAST);

        assertThat(call(mesh, new Request.Builder().url("http://orders/pay").header("X-Call", "p1")
                .post(RequestBody.create("{}", MediaType.get("application/json")))
                .tag(Idempotent.class, Idempotent.YES).build())).isEqualTo(200);
        assertThat(call(mesh, new Request.Builder().url("http://orders/pay").header("X-Call", "p2")
                .post(RequestBody.create("{}", MediaType.get("application/json"))).build())).isEqualTo(503);

        assertThat(backends.received(0)).containsExactly("p1", "p2");
        assertThat(backends.received(1)).containsExactly("p1");
    }

    @Test
    void shouldNotResendOneShotBodyWhenItWasSent() throws IOException {
        backend(r -> status(503));
        backend(r -> status(200));
        mesh(FAST);
        RequestBody oneShot = new OneShotBody("stream");

        assertThat(call(mesh, new Request.Builder().url("http://orders/doc").header("X-Call", "u1").put(oneShot)
                .build())).isEqualTo(503);

        assertThat(backends.received(1)).isEmpty();
    }

    /**
     * The first 503 asks to retry at a date already past (so at once); the later ones in an hour, past the cap.
     * {@code Retry-After: 0} itself is not used: OkHttp retries such a 503 on its own, on the same instance, below
     * the mesh.
     */
    @Test
    void shouldHonourRetryAfterWhenWithinCapAndGiveUpWhenLonger() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        backend(r -> status(503).newBuilder().setHeader("Retry-After",
                calls.incrementAndGet() == 1 ? "Wed, 21 Oct 2015 07:28:00 GMT" : "3600").build());
        backend(r -> status(200));
        mesh(FAST);

        assertThat(call(mesh, new Request.Builder().url("http://orders/a").header("X-Call", "a").build()))
                .isEqualTo(200);
        assertThat(call(mesh, new Request.Builder().url("http://orders/b").header("X-Call", "b").build()))
                .isEqualTo(503);

        assertThat(backends.received(0)).containsExactly("a", "b");
        assertThat(backends.received(1)).containsExactly("a");
    }

    @Test
    void shouldKeepAttemptsWithinBudgetWhenEveryInstanceFails() throws IOException {
        for (int i = 0; i < 4; i++) {
            backend(r -> status(503));
        }
        int requests = 200;
        mesh(RetryConfig.from(FAST).budgetPercent(20).budgetMinPerSecond(1).build());
        for (int i = 0; i < requests; i++) {
            assertThat(call(mesh, new Request.Builder().url("http://orders/x").build())).isEqualTo(503);
        }
        int withBudget = backends.total();
        mesh.close();
        backends.clearReceived();

        mesh(RetryConfig.from(FAST).budgetPercent(1_000).budgetMinPerSecond(100_000).build());
        for (int i = 0; i < requests; i++) {
            call(mesh, new Request.Builder().url("http://orders/x").build());
        }
        int withoutBudget = backends.total();

        assertThat(withBudget).isLessThanOrEqualTo((int) (1.2 * requests) + 10);
        assertThat(withoutBudget).isEqualTo(3 * requests);
    }

    @Test
    void shouldRecordRetryAttemptsInMetricsAndSpansWhenRetried() throws IOException {
        backend(r -> status(503));
        backend(r -> status(200));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        OpenTelemetrySdk openTelemetry = InMemoryTracing.exportingTo(spans);
        mesh = MeshClient.builder().discovery(StaticDiscovery.of(backends.instances())).meterRegistry(meters)
                .openTelemetry(openTelemetry)
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).retry(FAST).build())
                .build();

        assertThat(call(mesh, new Request.Builder().url("http://orders/x").build())).isEqualTo(200);

        assertThat(meters.get("mesh.client.attempts").tags("instance", "backend-0", "kind", "first", "outcome",
                "server_error").counter().count()).isEqualTo(1.0);
        assertThat(meters.get("mesh.client.attempts").tags("instance", "backend-1", "kind", "retry", "outcome",
                "success").counter().count()).isEqualTo(1.0);
        assertThat(meters.get("mesh.client.requests").tags("status", "2xx", "outcome", "success").timer().count())
                .isEqualTo(1);
        List<SpanData> attempts = spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CLIENT)
                .toList();
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(1).getAttributes().get(AttributeKey.longKey("http.request.resend_count")))
                .isEqualTo(1L);
        assertThat(attempts.get(1).getAttributes().get(AttributeKey.stringKey("mesh.attempt.kind")))
                .isEqualTo("retry");
        openTelemetry.close();
    }
}
