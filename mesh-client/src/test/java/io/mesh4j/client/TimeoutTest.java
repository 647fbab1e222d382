package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.resilience.RetryConfig;
import io.mesh4j.resilience.TimeoutConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimeoutTest {

    private final List<MockWebServer> servers = new ArrayList<>();
    private final List<ServiceInstance> instances = new ArrayList<>();
    private MeshClient mesh;

    private MockWebServer backend(long delayMillis) {
        MockWebServer server = Backends.serve(request ->
                new MockResponse.Builder().headersDelay(delayMillis, TimeUnit.MILLISECONDS).body("ok").build());
        servers.add(server);
        instances.add(ServiceInstance.builder("orders", server.getHostName(), server.getPort())
                .id("backend-" + (servers.size() - 1)).build());
        return server;
    }

    private void mesh(TimeoutConfig timeouts) {
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(instances))
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin())
                        .retry(RetryConfig.custom().backoffBase(Duration.ZERO).backoffMax(Duration.ZERO).build())
                        .timeouts(timeouts).build())
                .build();
    }

    private String get() throws IOException {
        try (Response response = mesh.okHttpClient().newCall(new Request.Builder().url("http://orders/x").build())
                .execute()) {
            return response.body().string();
        }
    }

    @AfterEach
    void tearDown() {
        if (mesh != null) {
            mesh.close();
        }
        servers.forEach(MockWebServer::close);
    }

    @Test
    void shouldRetryElsewhereWhenAttemptExceedsPerTryTimeout() throws Exception {
        MockWebServer slow = backend(3_000);
        MockWebServer fast = backend(0);
        mesh(TimeoutConfig.custom().perTryTimeout(Duration.ofMillis(200)).build());

        long start = System.nanoTime();
        assertThat(get()).isEqualTo("ok");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
        assertThat(slow.takeRequest(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(fast.getRequestCount()).isEqualTo(1);
    }

    @Test
    void shouldFailWithoutRetryWhenOverallDeadlinePasses() {
        backend(3_000);
        backend(3_000);
        mesh(TimeoutConfig.custom().overallTimeout(Duration.ofMillis(300)).build());

        long start = System.nanoTime();
        assertThatThrownBy(this::get).isInstanceOf(InterruptedIOException.class);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
        assertThat(servers.get(0).getRequestCount() + servers.get(1).getRequestCount()).isEqualTo(1);
    }

    @Test
    void shouldTellCalleeTheTimeLeftWhenDeadlineHeaderIsSet() throws Exception {
        MockWebServer server = backend(0);
        mesh(TimeoutConfig.custom().overallTimeout(Duration.ofSeconds(5)).deadlineHeader("X-Deadline-Ms").build());

        get();

        long left = Long.parseLong(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("X-Deadline-Ms"));
        assertThat(left).isBetween(1L, 5_000L);
    }

    @Test
    void shouldFailNamingFieldWhenTimeoutsContradict() {
        assertThatThrownBy(() -> TimeoutConfig.custom().perTryTimeout(Duration.ofSeconds(2))
                .overallTimeout(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("overallTimeout: 1s (expected: 2s to 1h)");
        assertThatThrownBy(() -> TimeoutConfig.custom().deadlineHeader(" ").build())
                .hasMessageStartingWith("deadlineHeader: ' '");
    }
}
