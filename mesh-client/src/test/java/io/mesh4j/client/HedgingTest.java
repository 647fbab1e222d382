package io.mesh4j.client;

import static io.mesh4j.client.HeldAnswers.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.BalancerConfig;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.lb.OutlierEjectionConfig;
import io.mesh4j.resilience.HedgingConfig;
import io.mesh4j.resilience.RetryConfig;
import io.mesh4j.resilience.TimeoutConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hedged calls against real loopback servers. A "stuck" backend holds its answer until the test ends, so whether
 * a hedge is needed never depends on timing; the hedge delays are short only to keep the tests quick.
 */
class HedgingTest {

    private static final HedgingConfig HEDGE_AFTER_20_MS = HedgingConfig.custom().delay(Duration.ofMillis(20))
            .build();

    private final RecordingBackends backends = new RecordingBackends();
    private final HeldAnswers answers = new HeldAnswers();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk openTelemetry = InMemoryTracing.exportingTo(spans);
    private MeshClient mesh;

    @AfterEach
    void tearDown() {
        answers.release();
        if (mesh != null) {
            mesh.close();
        }
        backends.close();
        openTelemetry.close();
    }

    /** Starts a backend; it records each request's X-Call header, then answers with {@code answer}. */
    private void backend(Function<RecordedRequest, MockResponse> answer) {
        backends.add(answer);
    }


    /**
     * Two backends: backend-0, which round robin picks first, is stuck until the test ends; backend-1 answers as soon
     * as backend-0 has read its request, so the first attempt always reaches the wire before a hedge can win.
     */
    private void firstInstanceStuck() {
        CountDownLatch firstRead = new CountDownLatch(1);
        backend(request -> {
            firstRead.countDown();
            return answers.held("backend-0");
        });
        backend(request -> HeldAnswers.after(firstRead, ok("backend-1")));
    }

    private MeshClient mesh(ServiceSettings.Builder settings) {
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(backends.instances()))
                .meterRegistry(meters)
                .openTelemetry(openTelemetry)
                .defaultSettings(settings
                        .balancer(LoadBalancers.of(BalancerConfig.custom().algorithm(Algorithm.ROUND_ROBIN)
                                .outlierEjection(OutlierEjectionConfig.disabled()).build()))
                        .build())
                .build();
        return mesh;
    }

    private MeshClient mesh(HedgingConfig hedging) {
        return mesh(ServiceSettings.custom().hedging(hedging));
    }

    private static Request get(String call) {
        return new Request.Builder().url("http://orders/items").header("X-Call", call).build();
    }

    private String body(Request request) throws IOException {
        try (Response response = mesh.newCall(request).execute()) {
            return response.code() + " " + response.body().string();
        }
    }

    private int totalReceived() {
        return backends.total();
    }

    private double attempts(String kind, String outcome) {
        return meters.find("mesh.client.attempts").tags("kind", kind, "outcome", outcome).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    @Test
    void shouldAnswerFromHedgeWhenFirstInstanceIsStuck() throws IOException {
        firstInstanceStuck();
        mesh(HEDGE_AFTER_20_MS);

        String answer = body(get("c1"));

        assertThat(backends.received(0)).containsExactly("c1");
        assertThat(backends.received(1)).containsExactly("c1");
        assertThat(answer).isEqualTo("200 backend-1");
        assertThat(attempts("hedge", "success")).isEqualTo(1.0);
        assertThat(meters.get("mesh.client.requests").tags("outcome", "success").timer().count()).isEqualTo(1);
        assertThat(attempts("first", "abandoned")).as("round robin weighs no latency: the loser is cancelled at once")
                .isEqualTo(1.0);
        assertThat(totalReceived()).isEqualTo(2);
    }

    @Test
    void shouldFailWithCanceledAndSendNothingMoreWhenCallIsCancelledWhileCallingThreadWaitsForFirstAttempt()
            throws Exception {
        CountDownLatch read = new CountDownLatch(1);
        backend(request -> {
            read.countDown();
            return answers.held("backend-0");
        });
        backend(request -> ok("backend-1"));
        mesh(HedgingConfig.custom().delay(Duration.ofSeconds(30)).build());
        Call call = mesh.newCall(get("c1"));
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<Response> executed = caller.submit(call::execute);
            assertThat(read.await(5, TimeUnit.SECONDS)).isTrue();

            call.cancel();

            assertThatThrownBy(() -> executed.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class)
                    .hasMessageContaining("Canceled");
        } finally {
            caller.shutdownNow();
        }
        assertThat(backends.received(0)).containsExactly("c1");
        assertThat(totalReceived()).isEqualTo(1);
        assertThat(attempts("first", "cancelled")).isEqualTo(1.0);
        assertThat(meters.get("mesh.client.requests").tags("outcome", "cancelled").timer().count()).isEqualTo(1);
    }

    @Test
    void shouldNotHedgeWhenAnswerComesBeforeDelay() throws IOException {
        backend(request -> ok("backend-0"));
        backend(request -> ok("backend-1"));
        mesh(HedgingConfig.custom().delay(Duration.ofSeconds(30)).build());

        for (int i = 0; i < 20; i++) {
            assertThat(body(get("c" + i))).startsWith("200 ");
        }

        assertThat(totalReceived()).isEqualTo(20);
        assertThat(attempts("hedge", "success")).isZero();
        assertThat(attempts("first", "success")).isEqualTo(20.0);
    }

    @Test
    void shouldNotHedgePostWhenCallerDidNotMarkItIdempotent() throws Exception {
        firstInstanceStuck();
        mesh(HEDGE_AFTER_20_MS);

        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return body(post("p1").build());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> totalReceived() == 1);
        org.awaitility.Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                .until(() -> totalReceived() == 1);
        assertThat(answer).isNotDone();
        answers.release();

        assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo("200 backend-0");
        assertThat(totalReceived()).as("a POST is sent once").isEqualTo(1);
    }

    @Test
    void shouldHedgePostWhenCallerMarkedItIdempotent() throws IOException {
        firstInstanceStuck();
        mesh(HEDGE_AFTER_20_MS);

        String answer = body(post("p2").tag(Idempotent.class, Idempotent.YES).build());

        assertThat(answer).isEqualTo("200 backend-1");
        assertThat(backends.received(0)).containsExactly("p2");
        assertThat(backends.received(1)).containsExactly("p2");
    }

    private static Request.Builder post(String call) {
        return new Request.Builder().url("http://orders/items").header("X-Call", call)
                .post(RequestBody.create("{}", MediaType.get("application/json")));
    }

    @Test
    void shouldKeepHedgesWithinBudgetWhenEveryAnswerIsSlow() throws IOException {
        for (int i = 0; i < 4; i++) {
            String name = "backend-" + i;
            backend(request -> new MockResponse.Builder().code(200).body(name)
                    .headersDelay(30, TimeUnit.MILLISECONDS).build());
        }
        RetryConfig tenPercent = RetryConfig.custom().budgetPercent(10).budgetMinPerSecond(0)
                .budgetWindow(Duration.ofSeconds(60)).build();
        mesh(ServiceSettings.custom().retry(tenPercent)
                .hedging(HedgingConfig.custom().delay(Duration.ofMillis(2)).build()));

        for (int i = 0; i < 50; i++) {
            assertThat(body(get("c" + i))).startsWith("200 ");
        }

        double hedges = attempts("hedge", "success") + attempts("hedge", "abandoned");
        assertThat(hedges).as("every call wanted a hedge; the budget allows 10% of 50").isEqualTo(5.0);
        assertThat(totalReceived()).as("servers never see more than the calls and the budget's hedges")
                .isBetween(50, 55);
    }

    @Test
    void shouldRecordHedgeSpanWithResendCountWhenTracing() throws Exception {
        firstInstanceStuck();
        mesh(HEDGE_AFTER_20_MS);

        body(get("t1"));
        answers.release();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> spans.getFinishedSpanItems()
                .stream().filter(span -> span.getKind() == SpanKind.CLIENT).count() == 2);

        List<SpanData> clientSpans = spans.getFinishedSpanItems().stream()
                .filter(span -> span.getKind() == SpanKind.CLIENT).toList();
        SpanData logical = spans.getFinishedSpanItems().stream()
                .filter(span -> span.getKind() == SpanKind.INTERNAL).findFirst().orElseThrow();
        assertThat(clientSpans).hasSize(2);
        SpanData hedge = clientSpans.stream()
                .filter(span -> "hedge".equals(span.getAttributes().get(AttributeKey.stringKey("mesh.attempt.kind"))))
                .findFirst().orElseThrow();
        SpanData first = clientSpans.stream().filter(span -> span != hedge).findFirst().orElseThrow();
        assertThat(hedge.getAttributes().get(AttributeKey.longKey("http.request.resend_count"))).isEqualTo(1);
        assertThat(hedge.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200);
        assertThat(first.getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("abandoned");
        assertThat(hedge.getParentSpanId()).isEqualTo(logical.getSpanId());
        assertThat(first.getParentSpanId()).isEqualTo(logical.getSpanId());
        assertThat(logical.getAttributes().get(AttributeKey.longKey("mesh.attempts"))).isEqualTo(2);
        String traceId = logical.getTraceId();
        assertThat(backends.server(0).takeRequest(5, TimeUnit.SECONDS).getHeaders().get("traceparent"))
                .startsWith("00-" + traceId + "-");
        assertThat(backends.server(1).takeRequest(5, TimeUnit.SECONDS).getHeaders().get("traceparent"))
                .startsWith("00-" + traceId + "-");
    }

    @Test
    void shouldFailWithTimeoutWhenEveryAttemptIsStuckPastDeadline() {
        backend(request -> answers.held("backend-0"));
        backend(request -> answers.held("backend-1"));
        mesh(ServiceSettings.custom().hedging(HEDGE_AFTER_20_MS)
                .retry(RetryConfig.disabled())
                .timeouts(TimeoutConfig.custom().overallTimeout(Duration.ofMillis(300)).build()));

        assertThatThrownBy(() -> body(get("d1"))).isInstanceOf(InterruptedIOException.class)
                .hasMessageContaining("deadline");

        assertThat(totalReceived()).isEqualTo(2);
        assertThat(meters.get("mesh.client.requests").tags("outcome", "timeout").timer().count()).isEqualTo(1);
        assertThat(attempts("first", "timeout") + attempts("hedge", "timeout")).isEqualTo(2.0);
    }

    @Test
    void shouldNameFailedHedgeInCallsErrorWhenDeadlinePassesWhileFirstAttemptIsStuck() throws IOException {
        backend(request -> answers.held("backend-0"));
        backends.instances().add(io.mesh4j.api.ServiceInstance.builder("orders", "127.0.0.1", Backends.closedPort())
                .id("refusing").build());
        mesh(ServiceSettings.custom().hedging(HEDGE_AFTER_20_MS)
                .retry(RetryConfig.disabled())
                .timeouts(TimeoutConfig.custom().overallTimeout(Duration.ofMillis(300)).build()));

        assertThatThrownBy(() -> body(get("n1"))).isInstanceOf(io.mesh4j.api.AttemptsFailedException.class)
                .hasMessageContaining("refusing").hasMessageContaining("ConnectException")
                .hasMessageContaining("deadline of 300ms");

        assertThat(totalReceived()).isEqualTo(1);
        assertThat(attempts("first", "timeout")).isEqualTo(1.0);
        assertThat(attempts("hedge", "connect_failure")).isEqualTo(1.0);
    }

    @Test
    void shouldHedgeWhenCallIsAsynchronous() throws Exception {
        firstInstanceStuck();
        mesh(HEDGE_AFTER_20_MS);

        CompletableFuture<String> answer = Calls.enqueue(mesh.newCall(get("a1")));

        assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo("backend-1");
    }

    @Test
    void shouldAnswerEveryCallWhenManyThreadsHedgeAtOnce() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            String name = "backend-" + i;
            backend(request -> requests.incrementAndGet() % 5 == 0
                    ? new MockResponse.Builder().code(200).body(name).headersDelay(40, TimeUnit.MILLISECONDS).build()
                    : ok(name));
        }
        mesh(ServiceSettings.custom()
                .retry(RetryConfig.custom().budgetPercent(100).build())
                .hedging(HedgingConfig.custom().delay(Duration.ofMillis(5)).build()));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String call = "m" + i;
            answers.add(threads.submit(() -> body(get(call))));
        }

        for (Future<String> answer : answers) {
            assertThat(answer.get(30, TimeUnit.SECONDS)).startsWith("200 backend-");
        }
        threads.shutdown();

        double hedges = attempts("hedge", "success") + attempts("hedge", "abandoned");
        assertThat(hedges).isPositive();
        assertThat(totalReceived()).as("a hedge abandoned at once may never reach its server")
                .isBetween(200, 200 + (int) hedges);
        assertThat(meters.get("mesh.client.requests.active").gauge().value()).isZero();
    }

    @Test
    void shouldWaitForRunningAttemptWhenHedgeAnswersWithServerError() throws IOException {
        backend(request -> new MockResponse.Builder().code(200).body("backend-0")
                .headersDelay(300, TimeUnit.MILLISECONDS).build());
        backend(request -> new MockResponse.Builder().code(503).body("backend-1").build());
        mesh(ServiceSettings.custom().hedging(HEDGE_AFTER_20_MS).retry(RetryConfig.disabled()));

        String answer = body(get("w1"));

        assertThat(answer).isEqualTo("200 backend-0");
        assertThat(attempts("hedge", "server_error")).isEqualTo(1.0);
        assertThat(attempts("first", "success")).isEqualTo(1.0);
    }

    @Test
    void shouldTimeOutEachStuckAttemptWhenPerTryTimeoutPasses() {
        backend(request -> answers.held("backend-0"));
        backend(request -> answers.held("backend-1"));
        mesh(ServiceSettings.custom().hedging(HEDGE_AFTER_20_MS)
                .retry(RetryConfig.disabled())
                .timeouts(TimeoutConfig.custom().perTryTimeout(Duration.ofMillis(150)).build()));

        assertThatThrownBy(() -> body(get("t1"))).as("the error names both attempts")
                .isInstanceOf(io.mesh4j.api.AttemptsFailedException.class)
                .hasMessageContaining("backend-0").hasMessageContaining("backend-1")
                .hasCauseInstanceOf(java.net.SocketTimeoutException.class);

        assertThat(totalReceived()).isEqualTo(2);
        assertThat(attempts("first", "timeout")).isEqualTo(1.0);
        assertThat(attempts("hedge", "timeout")).isEqualTo(1.0);
        assertThat(meters.get("mesh.client.requests").tags("outcome", "timeout").timer().count()).isEqualTo(1);
    }

    @Test
    void shouldStartNoThreadButSchedulerAndStopItWhenClientCloses() throws IOException {
        // Clients of earlier tests may still be winding their scheduler down: count only what this one starts.
        Set<Thread> before = meshThreads();
        firstInstanceStuck();
        mesh(HEDGE_AFTER_20_MS);
        body(get("s1"));
        // OkHttp names a dispatcher thread after the call it runs until the call is done, which may be just after
        // this thread has the answer: wait for the names to settle.
        Set<Thread> started = new java.util.HashSet<>();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            started.clear();
            started.addAll(meshThreads());
            started.removeAll(before);
            assertThat(started).extracting(Thread::getName)
                    .as("the hedge's timer is the scheduler, no thread of its own")
                    .containsOnly("mesh4j-scheduler", "mesh4j-okhttp-dispatcher").containsOnlyOnce("mesh4j-scheduler");
        });

        answers.release();
        mesh.close();

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> started.stream().noneMatch(Thread::isAlive));
    }

    private static Set<Thread> meshThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("mesh4j-") && thread.isAlive())
                .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
    }
}
