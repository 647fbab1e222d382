package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.LoadBalancerFactory;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.resilience.HedgingConfig;
import io.mesh4j.resilience.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MeshClientConcurrencyTest {

    @Test
    void shouldAnswerEveryCallAndSpreadEvenlyWhenEightThreadsShareOneClient() throws Exception {
        int threads = 8;
        int callsPerThread = 1_000;
        try (Backends backends = Backends.start(3)) {
            OkHttpClient base = new OkHttpClient.Builder()
                    .connectionPool(new ConnectionPool(32, 1, TimeUnit.MINUTES))
                    .callTimeout(Duration.ofSeconds(10))
                    .build();
            MeshClient mesh = MeshClient.builder()
                    .discovery(StaticDiscovery.of(backends.instances("orders")))
                    .okHttpClient(base)
                    .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build())
                    .build();
            Map<String, LongAdder> answers = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < callsPerThread; i++) {
                        Request request = new Request.Builder().url("http://orders/work?i=" + i).build();
                        try (Response response = mesh.okHttpClient().newCall(request).execute()) {
                            assertThat(response.code()).isEqualTo(200);
                            answers.computeIfAbsent(response.body().string(), k -> new LongAdder()).increment();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(2, TimeUnit.MINUTES);
            }
            pool.shutdown();
            mesh.close();

            long total = answers.values().stream().mapToLong(LongAdder::sum).sum();
            assertThat(total).isEqualTo(threads * callsPerThread);
            assertThat(answers).containsOnlyKeys("backend-0", "backend-1", "backend-2");
            double even = total / 3.0;
            answers.forEach((backend, count) ->
                    assertThat(Math.abs(count.sum() - even) / even).as(backend).isLessThanOrEqualTo(0.05));
            for (int i = 0; i < 3; i++) {
                assertThat(backends.get(i).getRequestCount()).isEqualTo((int) answers.get("backend-" + i).sum());
            }
        }
    }

    /** Round robin whose every picked endpoint counts its start and end, and notices a second end. */
    private static final class CountingBalancers implements LoadBalancerFactory {
        final AtomicLong starts = new AtomicLong();
        final AtomicLong ends = new AtomicLong();
        final AtomicLong secondEnds = new AtomicLong();

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public LoadBalancer newLoadBalancer(String service) {
            LoadBalancer delegate = LoadBalancers.roundRobin().newLoadBalancer(service);
            return new LoadBalancer() {
                @Override
                public void updateInstances(List<ServiceInstance> instances) {
                    delegate.updateInstances(instances);
                }

                @Override
                public Picker picker() {
                    Picker picker = delegate.picker();
                    return context -> {
                        Endpoint picked = picker.pick(context);
                        return picked == null ? null : new CountingEndpoint(picked);
                    };
                }
            };
        }

        private final class CountingEndpoint implements Endpoint {
            private final Endpoint delegate;
            private final AtomicBoolean ended = new AtomicBoolean();

            CountingEndpoint(Endpoint delegate) {
                this.delegate = delegate;
            }

            @Override
            public ServiceInstance instance() {
                return delegate.instance();
            }

            @Override
            public void onAttemptStart() {
                starts.incrementAndGet();
            }

            @Override
            public void onAttemptEnd(long endNanos, long latencyNanos, AttemptOutcome outcome) {
                if (!ended.compareAndSet(false, true)) {
                    secondEnds.incrementAndGet();
                }
                ends.incrementAndGet();
            }
        }
    }

    /** How the calls reach the mesh. */
    enum Route {
        MESH_CLIENT, OWN_CLIENT_WITH_INTERCEPTOR, MESH_CALLS, MESH_CALLS_HEDGED
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Route.class)
    void shouldEndEveryAttemptExactlyOnceWhenThreadsMixSyncAsyncRetriesAndUnreadBodies(Route route)
            throws Exception {
        int threads = 8;
        int callsPerThread = 200;
        AtomicInteger served = new AtomicInteger();
        try (Backends backends = Backends.start(2)) {
            MockWebServer flaky = Backends.serve(request -> served.incrementAndGet() % 5 == 0
                    ? new MockResponse.Builder().code(503).body("busy").build()
                    : new MockResponse.Builder().body("backend-2").build());
            List<ServiceInstance> instances = new ArrayList<>(backends.instances("orders"));
            instances.add(ServiceInstance.builder("orders", flaky.getHostName(), flaky.getPort()).id("backend-2")
                    .build());
            CountingBalancers counting = new CountingBalancers();
            MeshClient mesh = MeshClient.builder()
                    .discovery(StaticDiscovery.of(instances))
                    .defaultSettings(ServiceSettings.custom().balancer(counting)
                            .retry(RetryConfig.custom().backoffBase(Duration.ofMillis(1))
                                    .backoffMax(Duration.ofMillis(2)).budgetPercent(100).build())
                            .hedging(route == Route.MESH_CALLS_HEDGED
                                    ? HedgingConfig.custom().delay(Duration.ofMillis(1)).build()
                                    : HedgingConfig.disabled())
                            .build())
                    .build();
            Call.Factory client = switch (route) {
                case MESH_CLIENT -> mesh.okHttpClient();
                case OWN_CLIENT_WITH_INTERCEPTOR ->
                        new OkHttpClient.Builder().addInterceptor(mesh.interceptor()).build();
                case MESH_CALLS, MESH_CALLS_HEDGED -> mesh;
            };
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < callsPerThread; i++) {
                        Request request = new Request.Builder().url("http://orders/work?i=" + i).build();
                        if (i % 3 == 0) {
                            Calls.enqueue(client.newCall(request)).get(10, TimeUnit.SECONDS);
                        } else {
                            try (Response response = client.newCall(request).execute()) {
                                if (i % 3 == 1) {
                                    response.body().string();
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(2, TimeUnit.MINUTES);
            }
            pool.shutdown();
            mesh.close();
            int onTheWire = backends.get(0).getRequestCount() + backends.get(1).getRequestCount()
                    + flaky.getRequestCount();
            flaky.close();

            assertThat(counting.secondEnds.get()).isZero();
            assertThat(counting.ends.get()).isEqualTo(counting.starts.get());
            if (route == Route.MESH_CALLS_HEDGED) {
                assertThat(onTheWire).as("requests the servers read: never more than attempts started (a hedge"
                        + " cancelled at once may never be sent)").isBetween(threads * callsPerThread,
                        (int) counting.starts.get());
            } else {
                assertThat(counting.starts.get()).as("attempts started, requests the servers read")
                        .isEqualTo(onTheWire).isGreaterThan((long) threads * callsPerThread);
            }
        }
    }
}
