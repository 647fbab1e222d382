package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.BalancerConfig;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.lb.OutlierEjectionConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    @ParameterizedTest(name = "{0}")
    @ValueSource(booleans = {true, false})
    void shouldEjectInstanceWhoseBodiesBreakOffWhenHeadersLookFine(boolean throughMeshClient) {
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
        OkHttpClient client = throughMeshClient
                ? mesh.okHttpClient()
                : new OkHttpClient.Builder().addInterceptor(mesh.interceptor()).build();

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
        assertThat(backends.received(1)).as("ejected after its third broken body").hasSize(3);
        assertThat(backends.received(0)).hasSize(9);
    }
}
