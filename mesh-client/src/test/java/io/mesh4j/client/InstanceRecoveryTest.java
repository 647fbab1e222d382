package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.BalancerConfig;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.lb.OutlierEjectionConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** How an instance's failures and its recovery steer traffic, counted by the backends. */
class InstanceRecoveryTest {

    private final RecordingBackends backends = new RecordingBackends();
    private final ManualTicker ticker = new ManualTicker();
    private MeshClient mesh;

    @AfterEach
    void tearDown() {
        if (mesh != null) {
            mesh.close();
        }
        backends.close();
    }

    /** A backend that "takes" a millisecond of the client's ticker per request and answers what {@code down} says. */
    private void backend(AtomicBoolean down) {
        backends.add(request -> {
            ticker.advance(Duration.ofMillis(1));
            return down.get()
                    ? new MockResponse.Builder().code(503).body("down").build()
                    : new MockResponse.Builder().body("up").build();
        });
    }

    private void calls(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            try (Response response = mesh.okHttpClient().newCall(new Request.Builder().url("http://orders/x")
                    .build()).execute()) {
                assertThat(response.body().string()).isEqualTo("up");
            }
        }
    }

    @Test
    void shouldSendTrafficToRestartedInstanceWithinFiveSecondsWhenDefaultPeakEwma() throws IOException {
        AtomicBoolean up = new AtomicBoolean(false);
        AtomicBoolean failing = new AtomicBoolean(true);
        backend(up);
        backend(failing);
        backend(up);
        mesh = MeshClient.builder().discovery(StaticDiscovery.of(backends.instances())).ticker(ticker).build();
        calls(30);
        assertThat(backends.received(1)).as("the failing instance was tried").isNotEmpty();

        failing.set(false);
        backends.clearReceived();
        ticker.advance(Duration.ofSeconds(1));
        calls(100);
        int duringPenalty = backends.received(1).size();
        ticker.advance(Duration.ofSeconds(2));
        calls(100);

        assertThat(duringPenalty).as("1 s after restart: its failures' penalty still weighs").isZero();
        assertThat(backends.received(1)).as("3 s after restart").hasSizeGreaterThan(10);
    }

    @Test
    void shouldSendTrafficBackWithinAProbeIntervalWhenSlowInstanceRecovers() throws IOException {
        AtomicBoolean slow = new AtomicBoolean(true);
        for (int i = 0; i < 3; i++) {
            boolean slowOne = i == 1;
            backends.add(request -> {
                ticker.advance(Duration.ofMillis(slowOne && slow.get() ? 20 : 1));
                return new MockResponse.Builder().body("up").build();
            });
        }
        mesh = MeshClient.builder().discovery(StaticDiscovery.of(backends.instances())).ticker(ticker).build();
        calls(200);
        assertThat(backends.received(1)).as("the slow instance was measured").isNotEmpty();

        slow.set(false);
        backends.clearReceived();
        // 1 ms calls: the default probe interval of 1 s is about 1,000 of them. Without the probe, the old estimate
        // (20 times the others') would keep the instance out for three decay times, 30 s.
        calls(1_500);
        int firstCalls = backends.received(1).size();
        backends.clearReceived();
        calls(300);

        assertThat(firstCalls).as("probed once its estimate expired").isPositive();
        assertThat(backends.received(1)).as("back in the rotation after the probe").hasSizeGreaterThan(50);
    }

    /** The ways of calling whose connection pool the mesh can reach. */
    enum Route { MESH_CLIENT, MESH_CALLS, CALL_FACTORY_OVER_OWN_CLIENT }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Route.class)
    void shouldCallRestartedInstanceOnNewConnectionsAfterOneFailureWhenItsPooledOnesDied(Route route)
            throws Exception {
        CountDownLatch fourTogether = new CountDownLatch(4);
        java.util.function.Function<mockwebserver3.RecordedRequest, MockResponse> answer = request -> {
            fourTogether.countDown();
            try {
                fourTogether.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new MockResponse.Builder().body("up").build();
        };
        MockWebServer before = Backends.serve(answer);
        int port = before.getPort();
        mesh = MeshClient.builder().ticker(ticker)
                .discovery(StaticDiscovery.of(ServiceInstance.builder("orders", "127.0.0.1", port).id("o1").build()))
                .build();
        Call.Factory calls = switch (route) {
            case MESH_CLIENT -> mesh.okHttpClient();
            case MESH_CALLS -> mesh;
            case CALL_FACTORY_OVER_OWN_CLIENT -> mesh.callFactory(new OkHttpClient());
        };
        List<CompletableFuture<String>> warmUp = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            warmUp.add(Calls.enqueue(calls.newCall(new Request.Builder().url("http://orders/x").build())));
        }
        for (CompletableFuture<String> call : warmUp) {
            assertThat(call.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("up");
        }
        // Four connections were open at once, and are now idle in the pool; the instance restarts on its port.
        before.close();
        MockWebServer after = Backends.serve(port, request -> new MockResponse.Builder().body("up again").build());
        try {
            int failed = 0;
            for (int i = 0; i < 4; i++) {
                try (Response response = calls.newCall(new Request.Builder().url("http://orders/x").build())
                        .execute()) {
                    assertThat(response.body().string()).isEqualTo("up again");
                } catch (IOException deadConnection) {
                    failed++;
                }
            }

            assertThat(failed).as("only the first call met a connection from before the restart").isEqualTo(1);
            assertThat(after.getRequestCount()).isEqualTo(3);
        } finally {
            after.close();
        }
    }

    /** The clients a caller may send through: the mesh's own, or the caller's with the mesh interceptor. */
    enum Through { MESH_CLIENT, OWN_CLIENT, OWN_CLIENT_WITH_EVENT_LISTENER }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Through.class)
    void shouldEjectInstanceWhoseBodiesBreakOffWhenHeadersLookFine(Through through) {
        backends.add(request -> new MockResponse.Builder().body("complete").build());
        backends.add(request -> new MockResponse.Builder().body("cut short by a closed socket")
                .onResponseBody(new SocketEffect.CloseSocket()).build());
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(backends.instances()))
                .ticker(ticker)
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.of(BalancerConfig.custom()
                        .algorithm(Algorithm.ROUND_ROBIN)
                        .outlierEjection(OutlierEjectionConfig.custom().consecutiveFailures(3)
                                .maxEjectedPercent(50).build())
                        .build())).build())
                .build();
        AtomicInteger bodiesBroken = new AtomicInteger();
        OkHttpClient client = switch (through) {
            case MESH_CLIENT -> mesh.okHttpClient();
            case OWN_CLIENT -> new OkHttpClient.Builder().addInterceptor(mesh.interceptor()).build();
            case OWN_CLIENT_WITH_EVENT_LISTENER -> new OkHttpClient.Builder().addInterceptor(mesh.interceptor())
                    .eventListener(new EventListener() {
                        @Override
                        public void responseFailed(Call call, IOException failure) {
                            bodiesBroken.incrementAndGet();
                        }
                    }).build();
        };

        int broken = 0;
        for (int i = 0; i < 12; i++) {
            try (Response response = client.newCall(new Request.Builder().url("http://orders/x").build())
                    .execute()) {
                assertThat(response.code()).isEqualTo(200);
                response.body().string();
            } catch (IOException truncated) {
                broken++;
            }
        }

        assertThat(broken).isEqualTo(3);
        if (through == Through.OWN_CLIENT_WITH_EVENT_LISTENER) {
            assertThat(bodiesBroken).as("the caller's own listener still hears its events").hasValue(3);
        }
        assertThat(backends.received(1)).as("ejected after its third broken body").hasSize(3);
        assertThat(backends.received(0)).hasSize(9);
    }
}
