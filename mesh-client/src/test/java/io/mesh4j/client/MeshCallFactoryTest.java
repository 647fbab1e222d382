package io.mesh4j.client;

import static io.mesh4j.client.HeldAnswers.after;
import static io.mesh4j.client.HeldAnswers.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mesh4j.api.ClientClosedException;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.internal.MeshCallHandler;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.BalancerConfig;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.lb.OutlierEjectionConfig;
import io.mesh4j.resilience.HedgingConfig;
import io.mesh4j.resilience.RetryConfig;
import io.mesh4j.resilience.TimeoutConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Calls the mesh runs itself ({@link MeshClient#newCall}, {@link MeshClient#callFactory}): each attempt is a call of
 * the caller's client, asynchronous calls hold no dispatcher thread while they wait, and each instance has its own
 * per-host limit. Every claim is checked on the servers' side. Stuck backends hold their answer until the test ends,
 * so no outcome depends on timing.
 */
class MeshCallFactoryTest {

    private final List<MockWebServer> servers = new ArrayList<>();
    private final HeldAnswers answers = new HeldAnswers();
    private MeshClient mesh;

    @AfterEach
    void tearDown() {
        answers.release();
        if (mesh != null) {
            mesh.close();
        }
        servers.forEach(MockWebServer::close);
    }

    private MockWebServer server(InetAddress address, Function<RecordedRequest, MockResponse> answer)
            throws IOException {
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer.apply(request);
            }
        });
        servers.add(server);
        server.start(address, 0);
        return server;
    }

    private MockWebServer server(Function<RecordedRequest, MockResponse> answer) throws IOException {
        return server(InetAddress.getLoopbackAddress(), answer);
    }


    private static ServiceInstance instance(MockWebServer server, String id, boolean secure) {
        return ServiceInstance.builder("orders", server.getHostName(), server.getPort()).id(id).secure(secure)
                .build();
    }

    private static ServiceSettings.Builder roundRobin() {
        return ServiceSettings.custom().balancer(LoadBalancers.of(BalancerConfig.custom()
                .algorithm(Algorithm.ROUND_ROBIN).outlierEjection(OutlierEjectionConfig.disabled()).build()));
    }

    private static Request get(String url, String call) {
        return new Request.Builder().url(url).header("X-Call", call).build();
    }

    @Test
    void shouldRunCallersInterceptorsAndTlsOnEveryAttemptWhenHedging() throws Exception {
        HeldCertificate authority = new HeldCertificate.Builder().certificateAuthority(0).build();
        HeldCertificate serverCertificate = new HeldCertificate.Builder().signedBy(authority)
                .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").build();
        HandshakeCertificates serverSide = new HandshakeCertificates.Builder().heldCertificate(serverCertificate)
                .build();
        HandshakeCertificates trustingTheAuthority = new HandshakeCertificates.Builder()
                .addTrustedCertificate(authority.certificate()).build();
        // The fast instance answers only once the slow one has read its request: otherwise the winner could cancel
        // the first attempt while its TLS handshake is still running, before any network interceptor saw it.
        CountDownLatch slowRead = new CountDownLatch(1);
        MockWebServer slow = server(request -> {
            slowRead.countDown();
            return answers.held("slow");
        });
        MockWebServer fast = server(request -> after(slowRead, ok("fast")));
        slow.useHttps(serverSide.sslSocketFactory());
        fast.useHttps(serverSide.sslSocketFactory());
        List<String> applicationSaw = new CopyOnWriteArrayList<>();
        List<String> networkSaw = new CopyOnWriteArrayList<>();
        OkHttpClient callers = new OkHttpClient.Builder()
                .sslSocketFactory(trustingTheAuthority.sslSocketFactory(), trustingTheAuthority.trustManager())
                .addInterceptor(chain -> {
                    applicationSaw.add(chain.request().url().toString());
                    return chain.proceed(chain.request().newBuilder().header("X-Tenant", "t1").build());
                })
                .addNetworkInterceptor(chain -> {
                    networkSaw.add(chain.request().url().scheme() + " " + chain.request().url().port());
                    return chain.proceed(chain.request());
                })
                .build();
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(instance(slow, "slow", true), instance(fast, "fast", true)))
                .defaultSettings(roundRobin().hedging(HedgingConfig.custom().delay(Duration.ofMillis(20)).build())
                        .build())
                .build();

        try (Response response = mesh.callFactory(callers).newCall(get("https://orders/items", "h1")).execute()) {
            assertThat(response.body().string()).isEqualTo("fast");
        }

        assertThat(applicationSaw).containsExactlyInAnyOrder(
                "https://" + slow.getHostName() + ":" + slow.getPort() + "/items",
                "https://" + fast.getHostName() + ":" + fast.getPort() + "/items");
        assertThat(networkSaw).containsExactlyInAnyOrder("https " + slow.getPort(), "https " + fast.getPort());
        for (MockWebServer server : List.of(slow, fast)) {
            RecordedRequest received = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(received.getHandshake()).as("sent over the caller's TLS").isNotNull();
            assertThat(received.getHeaders().get("X-Tenant")).isEqualTo("t1");
            assertThat(received.getHeaders().get("X-Call")).isEqualTo("h1");
            assertThat(server.getRequestCount()).isEqualTo(1);
        }
        assertThatThrownBy(() -> mesh.newCall(get("https://orders/items", "untrusted")).execute())
                .as("the mesh's own client does not trust the test authority: the caller's TLS did the work")
                .isInstanceOf(IOException.class).hasMessageContaining("PKIX path building failed");
    }

    @Test
    void shouldKeepFortyAsyncCallsInFlightTogetherWhenSpreadOverFourInstanceHosts() throws Exception {
        CountDownLatch allArrived = new CountDownLatch(40);
        List<ServiceInstance> instances = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            MockWebServer server = server(InetAddress.getByName("127.0.0." + i), request -> {
                allArrived.countDown();
                try {
                    return allArrived.await(10, TimeUnit.SECONDS) ? ok("together") : ok("alone");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ok("interrupted");
                }
            });
            instances.add(ServiceInstance.builder("orders", "127.0.0." + i, server.getPort()).id("i" + i).build());
        }
        OkHttpClient callers = new OkHttpClient();
        // Keyed by the logical host, this limit would let only 20 of the 40 calls run at once.
        callers.dispatcher().setMaxRequestsPerHost(20);
        mesh = MeshClient.builder().okHttpClient(callers).discovery(StaticDiscovery.of(instances))
                .defaultSettings(roundRobin().build()).build();

        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            answers.add(Calls.enqueue(mesh.newCall(get("http://orders/x", "c" + i))));
        }

        for (CompletableFuture<String> answer : answers) {
            assertThat(answer.get(15, TimeUnit.SECONDS)).as("every call was in flight with the 39 others")
                    .isEqualTo("together");
        }
        assertThat(servers.stream().mapToInt(MockWebServer::getRequestCount).sum()).isEqualTo(40);
    }

    @Test
    void shouldHoldNoDispatcherThreadWhileAsyncCallsWaitToRetry() throws Exception {
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        Function<RecordedRequest, MockResponse> busyFirst = request -> {
            int arrival = seen.computeIfAbsent(request.getHeaders().get("X-Call"), call -> new AtomicInteger())
                    .incrementAndGet();
            return arrival == 1
                    ? new MockResponse.Builder().code(503).setHeader("Retry-After", "3").build()
                    : ok("retried");
        };
        MockWebServer first = server(busyFirst);
        MockWebServer second = server(busyFirst);
        OkHttpClient callers = new OkHttpClient();
        mesh = MeshClient.builder().okHttpClient(callers)
                .discovery(StaticDiscovery.of(instance(first, "first", false), instance(second, "second", false)))
                .defaultSettings(roundRobin().retry(RetryConfig.custom().budgetPercent(100).build()).build())
                .build();

        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(Calls.enqueue(mesh.newCall(get("http://orders/x", "r" + i))));
        }
        Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> first.getRequestCount()
                + second.getRequestCount() == 20 && callers.dispatcher().runningCallsCount() == 0);

        assertThat(callers.dispatcher().queuedCallsCount()).isZero();
        assertThat(answers).as("all 20 wait for Retry-After: 3 on the mesh's scheduler").noneMatch(
                CompletableFuture::isDone);
        for (CompletableFuture<String> answer : answers) {
            assertThat(answer.get(15, TimeUnit.SECONDS)).isEqualTo("retried");
        }
        assertThat(first.getRequestCount() + second.getRequestCount()).isEqualTo(40);
        assertThat(seen.values()).allSatisfy(arrivals -> assertThat(arrivals.get()).isEqualTo(2));
    }

    @Test
    void shouldFailAsyncCallWithDeadlineWhenInstanceNeverAnswers() throws Exception {
        MockWebServer hung = server(request -> answers.held("late"));
        mesh = MeshClient.builder().discovery(StaticDiscovery.of(instance(hung, "hung", false)))
                .defaultSettings(roundRobin().retry(RetryConfig.disabled())
                        .timeouts(TimeoutConfig.custom().overallTimeout(Duration.ofMillis(300)).build()).build())
                .build();

        CompletableFuture<String> answer = Calls.enqueue(mesh.newCall(get("http://orders/x", "d1")));

        assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(InterruptedIOException.class).hasMessageContaining("deadline of 300ms");
        assertThat(hung.getRequestCount()).isEqualTo(1);
    }

    @Test
    void shouldEndCallAtCallersTimeoutWhenItIsShorterThanServiceDeadline() throws Exception {
        MockWebServer hung = server(request -> answers.held("late"));
        mesh = MeshClient.builder().discovery(StaticDiscovery.of(instance(hung, "hung", false)))
                .defaultSettings(roundRobin().retry(RetryConfig.disabled()).build())
                .build();
        Call call = mesh.newCall(get("http://orders/x", "t1"));
        call.timeout().timeout(200, TimeUnit.MILLISECONDS);

        assertThatThrownBy(call::execute).isInstanceOf(InterruptedIOException.class)
                .hasMessageContaining("deadline of 200ms for service 'orders' exceeded");
        assertThat(hung.getRequestCount()).isEqualTo(1);
    }

    @Test
    void shouldCancelRunningAttemptsWhenAsyncCallIsCanceled() throws Exception {
        MockWebServer slow = server(request -> answers.held("slow"));
        MockWebServer slower = server(request -> answers.held("slower"));
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(instance(slow, "slow", false), instance(slower, "slower", false)))
                .defaultSettings(roundRobin().hedging(HedgingConfig.custom().delay(Duration.ofMillis(10)).build())
                        .build())
                .build();
        Call call = mesh.newCall(get("http://orders/x", "k1"));

        CompletableFuture<String> answer = Calls.enqueue(call);
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> slow.getRequestCount() + slower.getRequestCount() == 2);
        call.cancel();

        assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(IOException.class)
                .hasMessage("Canceled");
        assertThat(call.isCanceled()).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(5)).alias("both attempts cancelled, though their servers hold on")
                .until(() -> mesh.okHttpClient().dispatcher().runningCallsCount() == 0);
    }

    @Test
    void shouldFailWithClientClosedSyncAndAsyncAndPassOtherHostsThroughWhenClosed() throws Exception {
        MockWebServer backend = server(request -> ok("backend"));
        MockWebServer outside = server(request -> ok("outside"));
        mesh = MeshClient.builder().discovery(StaticDiscovery.of(instance(backend, "b", false))).build();
        try (Response response = mesh.newCall(get("http://orders/x", "before")).execute()) {
            assertThat(response.body().string()).isEqualTo("backend");
        }

        mesh.close();

        assertThatThrownBy(() -> mesh.newCall(get("http://orders/x", "sync")).execute())
                .isInstanceOf(ClientClosedException.class);
        assertThatThrownBy(() -> Calls.enqueue(mesh.newCall(get("http://orders/x", "async"))).get(5, TimeUnit.SECONDS))
                .cause().isInstanceOf(ClientClosedException.class);
        assertThat(Calls.enqueue(mesh.newCall(get(outside.url("/y").toString(), "o1"))).get(5, TimeUnit.SECONDS))
                .isEqualTo("outside");
        assertThat(backend.getRequestCount()).isEqualTo(1);
    }

    @Test
    void shouldSendOneAttemptAndWarnOnceWhenHedgingServiceIsCalledThroughInterceptor() throws Exception {
        MockWebServer slow = server(request -> new MockResponse.Builder().code(200).body("slow")
                .headersDelay(100, TimeUnit.MILLISECONDS).build());
        MockWebServer fast = server(request -> ok("fast"));
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(instance(slow, "slow", false), instance(fast, "fast", false)))
                .defaultSettings(roundRobin().hedging(HedgingConfig.custom().delay(Duration.ofMillis(5)).build())
                        .build())
                .build();
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(MeshCallHandler.class);
        warnings.start();
        logger.addAppender(warnings);
        try {
            for (int i = 0; i < 4; i++) {
                try (Response response = mesh.okHttpClient().newCall(get("http://orders/x", "i" + i)).execute()) {
                    assertThat(response.code()).isEqualTo(200);
                }
            }
        } finally {
            logger.detachAppender(warnings);
        }

        assertThat(slow.getRequestCount() + fast.getRequestCount()).as("one attempt per call").isEqualTo(4);
        assertThat(warnings.list).hasSize(1);
        assertThat(warnings.list.get(0).getFormattedMessage()).contains("hedging configured")
                .contains("MeshClient.newCall");
    }
}
