package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.LoadBalancerFactory;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.api.balancer.RequestContext;
import io.mesh4j.resilience.HedgingConfig;
import io.mesh4j.resilience.RetryConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.Call;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The client reports every attempt's start, end, latency and outcome to the endpoint the balancer picked. */
class AttemptFeedbackTest {

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<RequestContext> contexts = new CopyOnWriteArrayList<>();
    private final List<String> userHeaders = new CopyOnWriteArrayList<>();
    private final Map<String, Long> latencies = new ConcurrentHashMap<>();
    private MockWebServer server;
    /** What the recording balancer says of itself, and whether it asks to measure each attempt to its end. */
    private volatile boolean weighsLatency = true;
    private volatile boolean measuresEveryPick = true;

    /**
     * A balancer that picks the first instance the call has not tried and records what it is told. Unless a test
     * says otherwise, it says it weighs latencies, as peak-EWMA does, and asks to measure every attempt to its end,
     * so the losers of a hedge run on for it.
     */
    private final LoadBalancerFactory recording = new LoadBalancerFactory() {
        @Override
        public String name() {
            return "recording";
        }

        @Override
        public LoadBalancer newLoadBalancer(String service) {
            return new LoadBalancer() {
                private volatile Picker picker = context -> null;

                @Override
                public void updateInstances(List<ServiceInstance> instances) {
                    List<Endpoint> endpoints = instances.stream().<Endpoint>map(RecordingEndpoint::new).toList();
                    picker = context -> {
                        // A context is valid only while picking: keep a copy.
                        contexts.add(RequestContext.of(context.service(), context.method(), context.path(),
                                context.hashKey(), context.attempt(), context.triedInstances()));
                        userHeaders.add(String.valueOf(context.header("X-User")));
                        if (measuresEveryPick) {
                            context.measureToEnd();
                        }
                        return endpoints.stream().filter(e -> !context.wasTried(e.instance())).findFirst()
                                .orElse(null);
                    };
                }

                @Override
                public Picker picker() {
                    return picker;
                }

                @Override
                public boolean weighsLatency() {
                    return weighsLatency;
                }
            };
        }
    };

    private final class RecordingEndpoint implements Endpoint {
        private final ServiceInstance instance;

        RecordingEndpoint(ServiceInstance instance) {
            this.instance = instance;
        }

        @Override
        public ServiceInstance instance() {
            return instance;
        }

        @Override
        public void onAttemptStart() {
            events.add("start " + instance.id());
        }

        @Override
        public void onAttemptEnd(long endNanos, long latencyNanos, AttemptOutcome outcome) {
            assertThat(latencyNanos).isPositive();
            assertThat(endNanos).isLessThanOrEqualTo(System.nanoTime());
            latencies.put(instance.id(), latencyNanos);
            events.add("end " + instance.id() + " " + outcome);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private MeshClient meshOver(ServiceInstance instance) {
        return MeshClient.builder()
                .discovery(StaticDiscovery.of(instance))
                .service("orders", ServiceSettings.custom().balancer(recording).retry(RetryConfig.disabled()).build())
                .build();
    }

    private static void call(OkHttpClient client, Request request) throws IOException {
        try (Response response = client.newCall(request).execute()) {
            response.body().string();
        }
    }

    @Test
    void shouldReportSuccessAndServerErrorWhenInstanceAnswers() throws IOException {
        server.enqueue(new MockResponse.Builder().code(404).build());
        server.enqueue(new MockResponse.Builder().code(503).build());
        ServiceInstance instance = ServiceInstance.builder("orders", server.getHostName(), server.getPort())
                .id("o1").build();
        try (MeshClient mesh = meshOver(instance)) {
            call(mesh.okHttpClient(), new Request.Builder().url("http://orders/a").build());
            call(mesh.okHttpClient(), new Request.Builder().url("http://orders/b").build());
        }

        assertThat(events).containsExactly("start o1", "end o1 SUCCESS", "start o1", "end o1 SERVER_ERROR");
    }

    /** How a test reaches the mesh. */
    enum Route {
        MESH_CLIENT, OWN_CLIENT_WITH_INTERCEPTOR, MESH_CALLS, CALL_FACTORY_OVER_OWN_CLIENT;

        Call.Factory over(MeshClient mesh) {
            return switch (this) {
                case MESH_CLIENT -> mesh.okHttpClient();
                case OWN_CLIENT_WITH_INTERCEPTOR ->
                        new OkHttpClient.Builder().addInterceptor(mesh.interceptor()).build();
                case MESH_CALLS -> mesh;
                case CALL_FACTORY_OVER_OWN_CLIENT -> mesh.callFactory(new OkHttpClient());
            };
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Route.class)
    void shouldEndAttemptWhenBodyIsReadOrClosedNotWhenHeadersArrive(Route route) throws IOException {
        server.enqueue(new MockResponse.Builder().body("read to the end").build());
        server.enqueue(new MockResponse.Builder().body("closed unread").build());
        ServiceInstance instance = ServiceInstance.builder("orders", server.getHostName(), server.getPort())
                .id("o3").build();
        try (MeshClient mesh = meshOver(instance)) {
            Call.Factory client = route.over(mesh);
            Response read = client.newCall(new Request.Builder().url("http://orders/a").build()).execute();
            assertThat(events).as("headers in, body unread").containsExactly("start o3");
            assertThat(read.body().string()).isEqualTo("read to the end");
            assertThat(events).containsExactly("start o3", "end o3 SUCCESS");
            read.close();

            Response unread = client.newCall(new Request.Builder().url("http://orders/b").build()).execute();
            assertThat(events).hasSize(3);
            unread.close();
            unread.close();
        }

        assertThat(events).containsExactly("start o3", "end o3 SUCCESS", "start o3", "end o3 SUCCESS");
    }

    @Test
    void shouldEndAttemptOnceWhenCallersInterceptorReadsBodyBeforeMeshSeesResponse() throws IOException {
        server.enqueue(new MockResponse.Builder().body("buffered by the caller's interceptor").build());
        ServiceInstance instance = ServiceInstance.builder("orders", server.getHostName(), server.getPort())
                .id("o6").build();
        OkHttpClient buffering = new OkHttpClient.Builder().addInterceptor(chain -> {
            Response response = chain.proceed(chain.request());
            String body = response.body().string();
            return response.newBuilder().body(ResponseBody.create(body, response.body().contentType())).build();
        }).build();
        try (MeshClient mesh = meshOver(instance)) {
            try (Response response = mesh.callFactory(buffering)
                    .newCall(new Request.Builder().url("http://orders/a").build()).execute()) {
                assertThat(events).as("the body ended inside the caller's client").containsExactly("start o6",
                        "end o6 SUCCESS");
                assertThat(response.body().string()).isEqualTo("buffered by the caller's interceptor");
            }
        }

        assertThat(events).containsExactly("start o6", "end o6 SUCCESS");
    }

    @ParameterizedTest(name = "through the mesh's client: {0}")
    @ValueSource(booleans = {true, false})
    void shouldEndRetriedAttemptWhenMeshClosesItsAnswerBeforeRetrying(boolean throughMeshClient)
            throws IOException {
        server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "0").body("slow down").build());
        server.enqueue(new MockResponse.Builder().body("ok").build());
        ServiceInstance first = ServiceInstance.builder("orders", server.getHostName(), server.getPort())
                .id("o4").build();
        ServiceInstance second = ServiceInstance.builder("orders", server.getHostName(), server.getPort())
                .id("o5").build();
        try (MeshClient mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(first, second))
                .service("orders", ServiceSettings.custom().balancer(recording).retry(RetryConfig.custom()
                        .retryStatuses(Set.of(429)).backoffBase(Duration.ZERO).backoffMax(Duration.ZERO).build())
                        .build())
                .build()) {
            OkHttpClient client = throughMeshClient
                    ? mesh.okHttpClient()
                    : new OkHttpClient.Builder().addInterceptor(mesh.interceptor()).build();
            call(client, new Request.Builder().url("http://orders/a").build());
        }

        assertThat(events).containsExactly("start o4", "end o4 SUCCESS", "start o5", "end o5 SUCCESS");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void shouldReportHedgeLoserWithTheTimeItTookWhenItAnswersAfterTheCallEnded(boolean async) throws Exception {
        HeldAnswers held = new HeldAnswers();
        ManualTicker ticker = new ManualTicker();
        MockWebServer fast = slowFirstThenFast(held, ticker);
        try (MeshClient mesh = hedgingAfter20Ms(ticker, fast)) {
            Call call = mesh.newCall(new Request.Builder().url("http://orders/x").build());
            if (async) {
                assertThat(Calls.enqueue(call).get(5, TimeUnit.SECONDS)).isEqualTo("fast");
            } else {
                try (Response response = call.execute()) {
                    assertThat(response.body().string()).isEqualTo("fast");
                }
            }
            assertThat(events).as("the loser is still running").containsExactly("start slow", "start fast",
                    "end fast SUCCESS");

            ticker.advance(Duration.ofSeconds(5));
            held.release();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("end slow ABANDONED"));
        } finally {
            held.release();
            fast.close();
        }

        // Cancelled when the hedge won, it would have reported about 1 ms, and looked as fast as the winner.
        assertThat(latencies.get("slow")).isGreaterThanOrEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(server.getRequestCount() + fast.getRequestCount()).isEqualTo(2);
    }

    @ParameterizedTest(name = "balancer weighs latency={0}")
    @ValueSource(booleans = {false, true})
    void shouldSendFirstAttemptOnCallingThreadAndCutItShortWhenHedgeWinsUnlessBalancerAsksToMeasureIt(
            boolean balancerWeighsLatency) throws Exception {
        weighsLatency = balancerWeighsLatency;
        measuresEveryPick = false;
        HeldAnswers held = new HeldAnswers();
        ManualTicker ticker = new ManualTicker();
        MockWebServer fast = slowFirstThenFast(held, ticker);
        List<Thread> firstAttemptThreads = new CopyOnWriteArrayList<>();
        OkHttpClient own = new OkHttpClient.Builder().addNetworkInterceptor(chain -> {
            if (chain.request().url().port() == server.getPort()) {
                firstAttemptThreads.add(Thread.currentThread());
                ticker.advance(Duration.ofMillis(30));
            }
            return chain.proceed(chain.request());
        }).build();
        try (MeshClient mesh = hedgingAfter20Ms(ticker, fast)) {
            try (Response response = mesh.callFactory(own).newCall(new Request.Builder().url("http://orders/x")
                    .build()).execute()) {
                assertThat(response.body().string()).isEqualTo("fast");
            }
            // The calling thread was blocked in the first attempt: cut short, so that it returns the hedge's answer.
            assertThat(events).startsWith("start slow", "start fast").containsExactlyInAnyOrder("start slow",
                    "start fast", "end fast SUCCESS", "end slow ABANDONED");
        } finally {
            held.release();
            fast.close();
        }

        assertThat(firstAttemptThreads).containsExactly(Thread.currentThread());
        assertThat(latencies.get("slow")).as("at least what it waited, a lower bound of its latency")
                .isGreaterThanOrEqualTo(Duration.ofMillis(31).toNanos());
        assertThat(server.getRequestCount() + fast.getRequestCount()).isEqualTo(2);
    }

    /** Serves {@link #server} as a backend that holds its answer, and returns a fast one that answers once it has. */
    private MockWebServer slowFirstThenFast(HeldAnswers held, ManualTicker ticker) throws IOException {
        CountDownLatch slowRead = new CountDownLatch(1);
        server.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
                slowRead.countDown();
                return held.held("slow");
            }
        });
        return Backends.serve(request -> {
            ticker.advance(Duration.ofMillis(1));
            return HeldAnswers.after(slowRead, HeldAnswers.ok("fast"));
        });
    }

    /** A client over the slow backend, then the fast one, that hedges after 20 ms with the recording balancer. */
    private MeshClient hedgingAfter20Ms(ManualTicker ticker, MockWebServer fast) {
        ServiceInstance slow = ServiceInstance.builder("orders", server.getHostName(), server.getPort()).id("slow")
                .build();
        ServiceInstance quick = ServiceInstance.builder("orders", fast.getHostName(), fast.getPort()).id("fast")
                .build();
        return MeshClient.builder().discovery(StaticDiscovery.of(slow, quick)).ticker(ticker)
                .service("orders", ServiceSettings.custom().balancer(recording)
                        .hedging(HedgingConfig.custom().delay(Duration.ofMillis(20)).build()).build())
                .build();
    }

    @Test
    void shouldCountQueuedAttemptFromWhenADispatcherThreadTakesItWhenCallIsAsync() throws Exception {
        server.enqueue(new MockResponse.Builder().body("ok").build());
        ServiceInstance instance = ServiceInstance.builder("orders", server.getHostName(), server.getPort())
                .id("o7").build();
        AtomicLong offset = new AtomicLong();
        // Running behind System.nanoTime() by an hour, so the feedback's end stamps never pass it.
        Ticker ticker = () -> System.nanoTime() - Duration.ofHours(1).toNanos() + offset.get();
        // A client short of threads: its dispatcher takes each call 3 s (of the mesh's clock) after it was queued.
        ThreadPoolExecutor lateThreads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>()) {
            @Override
            protected void beforeExecute(Thread thread, Runnable task) {
                offset.addAndGet(Duration.ofSeconds(3).toNanos());
            }
        };
        OkHttpClient base = new OkHttpClient.Builder().dispatcher(new Dispatcher(lateThreads)).build();
        try (MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(instance)).ticker(ticker)
                .okHttpClient(base)
                .service("orders", ServiceSettings.custom().balancer(recording).retry(RetryConfig.disabled()).build())
                .build()) {
            CompletableFuture<String> body = Calls.enqueue(mesh.newCall(new Request.Builder().url("http://orders/q")
                    .build()));
            assertThat(body.get(5, TimeUnit.SECONDS)).isEqualTo("ok");
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("end o7 SUCCESS"));
        } finally {
            lateThreads.shutdownNow();
        }

        // The 3 s in the queue are the client's, not the instance's: counted, they would make it look slow.
        assertThat(offset.get()).isGreaterThanOrEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(latencies.get("o7")).isLessThan(Duration.ofSeconds(2).toNanos());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Route.class)
    void shouldNotBlameInstanceWhenServerClosedThePooledConnectionWhileIdle(Route route) throws IOException {
        // The server closes the connection right after its answer, as at the end of a keep-alive timeout.
        server.enqueue(new MockResponse.Builder().body("first").onResponseEnd(new SocketEffect.CloseSocket())
                .build());
        server.enqueue(new MockResponse.Builder().body("second").build());
        ServiceInstance instance = ServiceInstance.builder("orders", server.getHostName(), server.getPort())
                .id("o8").build();
        try (MeshClient mesh = meshOver(instance)) {
            Call.Factory client = route.over(mesh);
            try (Response first = client.newCall(new Request.Builder().url("http://orders/a").build()).execute()) {
                assertThat(first.body().string()).isEqualTo("first");
            }
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.takeRequest().getRequestLine().contains("/a"));

            assertThatThrownBy(() -> client.newCall(new Request.Builder().url("http://orders/b").build()).execute())
                    .isInstanceOf(IOException.class);
        }

        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(events).containsExactly("start o8", "end o8 SUCCESS", "start o8", "end o8 CANCELLED");
    }

    @Test
    void shouldReportConnectFailureWhenNothingListens() throws IOException {
        ServiceInstance down = ServiceInstance.builder("orders", "127.0.0.1", Backends.closedPort()).id("o2").build();
        try (MeshClient mesh = meshOver(down)) {
            assertThatThrownBy(() -> call(mesh.okHttpClient(), new Request.Builder().url("http://orders/").build()))
                    .isInstanceOf(IOException.class);
        }

        assertThat(events).containsExactly("start o2", "end o2 CONNECT_FAILURE");
    }

    @Test
    void shouldGivePickerMethodPathAndHeadersWhenPicking() throws IOException {
        server.enqueue(new MockResponse.Builder().code(200).build());
        ServiceInstance instance = ServiceInstance.builder("orders", server.getHostName(), server.getPort()).build();
        try (MeshClient mesh = meshOver(instance)) {
            call(mesh.okHttpClient(), new Request.Builder().url("http://orders/v1/x?y=1").header("X-User", "u7")
                    .delete().build());
        }

        RequestContext context = contexts.get(0);
        assertThat(context.service()).isEqualTo("orders");
        assertThat(context.method()).isEqualTo("DELETE");
        assertThat(context.path()).isEqualTo("/v1/x");
        assertThat(userHeaders.get(0)).isEqualTo("u7");
        assertThat(context.attempt()).isEqualTo(1);
        assertThat(context.triedInstances()).isEmpty();
    }
}
