package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.lb.LoadBalancers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ActiveHealthCheckTest {

    private final List<MockWebServer> servers = new ArrayList<>();
    private final List<ServiceInstance> instances = new ArrayList<>();
    private final AtomicInteger healthStatusOfB = new AtomicInteger(200);
    private final AtomicInteger healthChecksOfB = new AtomicInteger();
    private MeshClient mesh;

    @BeforeEach
    void setUp() throws IOException {
        for (String name : List.of("a", "b")) {
            MockWebServer server = new MockWebServer();
            server.setServerSocketFactory(new NoDelayServerSocketFactory());
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    if (request.getTarget().equals("/health?deep=1")) {
                        if (name.equals("b")) {
                            healthChecksOfB.incrementAndGet();
                            return new MockResponse.Builder().code(healthStatusOfB.get()).build();
                        }
                        return new MockResponse.Builder().code(200).build();
                    }
                    return new MockResponse.Builder().body(name).build();
                }
            });
            server.start();
            servers.add(server);
            instances.add(ServiceInstance.builder("orders", server.getHostName(), server.getPort()).id(name).build());
        }
        ActiveHealthCheck check = ActiveHealthCheck.custom()
                .path("/health?deep=1")
                .interval(Duration.ofMillis(50))
                .timeout(Duration.ofMillis(50))
                .unhealthyThreshold(2)
                .healthyThreshold(2)
                .build();
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(instances))
                .service("orders", ServiceSettings.custom().balancer(LoadBalancers.roundRobin())
                        .activeHealthCheck(check).build())
                .build();
    }

    @AfterEach
    void tearDown() {
        mesh.close();
        servers.forEach(MockWebServer::close);
    }

    private Set<String> answersOf(int requests) throws IOException {
        return Calls.answersOf(mesh, requests);
    }

    @Test
    void shouldStopAndResumeTrafficWhenHealthChecksFailAndPassAgain() throws IOException {
        assertThat(answersOf(4)).containsExactlyInAnyOrder("a", "b");

        healthStatusOfB.set(503);
        await().atMost(Duration.ofSeconds(10)).until(() -> answersOf(6).equals(Set.of("a")));

        healthStatusOfB.set(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> answersOf(6).contains("b"));
        assertThat(healthChecksOfB.get()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void shouldStopCheckingWhenClientIsClosed() throws IOException {
        assertThat(healthChecksOfB.get()).as("checks start with the first call to the service").isZero();
        answersOf(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> healthChecksOfB.get() >= 2);

        mesh.close();
        int afterClose = healthChecksOfB.get();

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> healthChecksOfB.get() <= afterClose + 1);
    }

    @Test
    void shouldFailNamingFieldWhenHealthCheckValuesAreInvalid() {
        assertThatThrownBy(() -> ActiveHealthCheck.custom().interval(Duration.ofSeconds(1))
                .timeout(Duration.ofSeconds(2)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout: 2s (expected: 1ms to 1s)");
        assertThatThrownBy(() -> ActiveHealthCheck.custom().path("health").build())
                .hasMessage("path: 'health' (expected: starts with '/')");
        assertThatThrownBy(() -> ActiveHealthCheck.custom().unhealthyThreshold(0).build())
                .hasMessage("unhealthyThreshold: 0 (expected: 1 to 100)");
    }
}
