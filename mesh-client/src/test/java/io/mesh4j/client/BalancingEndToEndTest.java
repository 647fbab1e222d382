package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.LoadBalancers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Balancers through a real MeshClient against real loopback servers. */
class BalancingEndToEndTest {

    private static final int REQUESTS = 400;

    private final List<MockWebServer> servers = new ArrayList<>();
    private final List<ServiceInstance> instances = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        for (int i = 0; i < 4; i++) {
            String name = "backend-" + i;
            long delayMillis = i == 0 ? 40 : 2;
            MockWebServer server = Backends.serve(request ->
                    new MockResponse.Builder().headersDelay(delayMillis, TimeUnit.MILLISECONDS).body(name).build());
            servers.add(server);
            instances.add(ServiceInstance.builder("orders", server.getHostName(), server.getPort()).id(name).build());
        }
    }

    @AfterEach
    void tearDown() {
        servers.forEach(MockWebServer::close);
    }

    /**
     * Sends {@code requests} requests through a new client. A first call in a cold JVM takes about 100 ms of class
     * loading and JIT in the client, which peak-EWMA would rightly charge to whichever instance it went to and
     * remember for seconds; so each test first sends {@code warmUp} round-robin requests through a throwaway
     * client, to measure the balancer in a warm JVM as a running service would be.
     */
    private Map<String, Integer> send(ServiceSettings settings, int warmUp, int requests, String... hashKeys)
            throws IOException {
        try (MeshClient throwaway = MeshClient.builder().discovery(StaticDiscovery.of(instances))
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build()).build()) {
            for (int i = 0; i < warmUp; i++) {
                try (Response response = throwaway.okHttpClient()
                        .newCall(new Request.Builder().url("http://orders/warm").build()).execute()) {
                    response.body().string();
                }
            }
        }
        Map<String, Integer> answeredBy = new HashMap<>();
        try (MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(instances))
                .defaultSettings(settings).build()) {
            OkHttpClient http = mesh.okHttpClient();
            for (int i = 0; i < requests; i++) {
                Request.Builder request = new Request.Builder().url("http://orders/work");
                if (hashKeys.length > 0) {
                    request.header("X-User", hashKeys[i % hashKeys.length]);
                }
                try (Response response = http.newCall(request.build()).execute()) {
                    answeredBy.merge(response.body().string(), 1, Integer::sum);
                }
            }
        }
        return answeredBy;
    }

    @Test
    void shouldSendUnderTenPercentToTwentyTimesSlowerInstanceWhenPeakEwma() throws IOException {
        Map<String, Integer> answeredBy = send(ServiceSettings.ofDefaults(), 40, REQUESTS);

        assertThat(answeredBy.getOrDefault("backend-0", 0)).isLessThan(REQUESTS / 10);
    }

    @Test
    void shouldSendAQuarterToSlowInstanceWhenRoundRobin() throws IOException {
        Map<String, Integer> answeredBy = send(
                ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build(), 40, REQUESTS);

        assertThat(answeredBy.get("backend-0")).isEqualTo(REQUESTS / 4);
    }

    @Test
    void shouldKeepEachUserOnOneInstanceWhenRingHashOnHeader() throws IOException {
        ServiceSettings sticky = ServiceSettings.custom().balancer(LoadBalancers.of(Algorithm.RING_HASH))
                .hashKeyHeader("X-User").build();

        Map<String, Integer> answeredBy = send(sticky, 0, 40, "alice");

        assertThat(answeredBy).hasSize(1).containsValue(40);
    }
}
