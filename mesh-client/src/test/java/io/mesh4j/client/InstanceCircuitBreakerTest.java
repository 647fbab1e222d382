package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.BalancerConfig;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.lb.OutlierEjectionConfig;
import io.mesh4j.resilience.RetryConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A circuit breaker per instance: an open breaker stops traffic to its instance only. */
class InstanceCircuitBreakerTest {

    private final List<MockWebServer> servers = new ArrayList<>();
    private final AtomicInteger statusOfFirst = new AtomicInteger(500);
    private MeshClient mesh;

    @AfterEach
    void tearDown() {
        mesh.close();
        servers.forEach(MockWebServer::close);
    }

    private Set<String> answersOf(int requests) throws IOException {
        return Calls.answersOf(mesh, requests);
    }

    @Test
    void shouldStopTrafficToInstanceWhileItsBreakerIsOpenAndResumeAfterTrial() throws IOException {
        List<ServiceInstance> instances = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = "backend-" + i;
            boolean first = i == 0;
            MockWebServer server = Backends.serve(request ->
                    new MockResponse.Builder().code(first ? statusOfFirst.get() : 200).body(name).build());
            servers.add(server);
            instances.add(ServiceInstance.builder("orders", server.getHostName(), server.getPort()).id(name).build());
        }
        ManualClock clock = new ManualClock();
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(instances))
                .defaultSettings(ServiceSettings.custom()
                        .balancer(LoadBalancers.of(BalancerConfig.custom().algorithm(Algorithm.ROUND_ROBIN)
                                .outlierEjection(OutlierEjectionConfig.disabled()).build()))
                        .retry(RetryConfig.disabled())
                        .instanceCircuitBreaker(CircuitBreakerConfig.custom().slidingWindowSize(4)
                                .minimumNumberOfCalls(4).failureRateThreshold(50)
                                .waitDurationInOpenState(Duration.ofSeconds(30))
                                .permittedNumberOfCallsInHalfOpenState(1).clock(clock).build())
                        .build())
                .build();

        assertThat(answersOf(12)).contains("backend-0");
        int firstCount = servers.get(0).getRequestCount();
        assertThat(answersOf(12)).containsOnly("backend-1", "backend-2");
        assertThat(servers.get(0).getRequestCount()).isEqualTo(firstCount);

        statusOfFirst.set(200);
        clock.advance(Duration.ofSeconds(31));

        await().atMost(Duration.ofSeconds(10)).until(() -> answersOf(3).contains("backend-0"));
        assertThat(answersOf(9)).containsExactlyInAnyOrder("backend-0", "backend-1", "backend-2");
    }
}
