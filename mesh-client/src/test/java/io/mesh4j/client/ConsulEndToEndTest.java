package io.mesh4j.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.mesh4j.discovery.consul.ConsulDiscovery;
import io.mesh4j.lb.LoadBalancers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MeshClient over ConsulDiscovery, with WireMock speaking Consul's health API and three real loopback backends.
 * Blocking queries are emulated by a short delay on every query that carries an index.
 */
class ConsulEndToEndTest {

    private final WireMockServer consul = new WireMockServer(wireMockConfig().dynamicPort());
    private Backends backends;
    private ConsulDiscovery discovery;
    private MeshClient mesh;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private int index = 10;

    @BeforeEach
    void setUp() {
        consul.start();
        backends = Backends.start(3);
        publish(0, 1);
        discovery = ConsulDiscovery.builder()
                .agentUrl("http://localhost:" + consul.port())
                .wait(Duration.ofSeconds(2))
                .minRequestInterval(Duration.ZERO)
                .build();
        mesh = MeshClient.builder().discovery(discovery).meterRegistry(meters)
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build())
                .build();
    }

    @AfterEach
    void tearDown() {
        mesh.close();
        discovery.close();
        backends.close();
        consul.stop();
    }

    /** Makes Consul list the given backends as the passing instances of {@code orders}, with a new index. */
    private void publish(int... backendIndexes) {
        index++;
        String body = IntStream.of(backendIndexes).mapToObj(i -> String.format(
                "{\"Node\": {\"Node\": \"node-%d\", \"Address\": \"127.0.0.1\", \"Meta\": {}},"
                        + " \"Service\": {\"ID\": \"orders-%d\", \"Service\": \"orders\", \"Tags\": [],"
                        + " \"Address\": \"%s\", \"Meta\": {}, \"Port\": %d,"
                        + " \"Weights\": {\"Passing\": 1, \"Warning\": 1}}, \"Checks\": []}",
                i, i, backends.get(i).getHostName(), backends.get(i).getPort()))
                .collect(Collectors.joining(",", "[", "]"));
        consul.stubFor(get(urlPathEqualTo("/v1/health/service/orders")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withHeader("X-Consul-Index", Integer.toString(index))
                .withBody(body)
                .withFixedDelay(200)));
    }

    private Set<String> answersOf(int requests) throws IOException {
        return Calls.answersOf(mesh, requests);
    }

    @Test
    void shouldFollowConsulWhenInstancesAreRemovedAndAdded() throws IOException {
        assertThat(answersOf(6)).containsExactlyInAnyOrder("backend-0", "backend-1");

        publish(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> answersOf(4).equals(Set.of("backend-1")));

        publish(1, 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> answersOf(4).equals(Set.of("backend-1", "backend-2")));
        assertThat(meters.get("mesh.discovery.staleness").tags("service", "orders").gauge().value())
                .isBetween(0.0, 5.0);
    }
}
