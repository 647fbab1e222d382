package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.routing.MeshPolicy;
import io.mesh4j.routing.Mirror;
import io.mesh4j.routing.Route;
import io.mesh4j.routing.ServiceRoutes;
import io.mesh4j.routing.Subset;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Shadow traffic: copies that never hold up, fail or repeat the caller's call, counted on both servers. */
class MirroringTest {

    private final HeldAnswers held = new HeldAnswers();
    private final List<MockWebServer> servers = new ArrayList<>();
    private final Queue<RecordedRequest> primaryReceived = new ConcurrentLinkedQueue<>();
    private final Queue<RecordedRequest> shadowReceived = new ConcurrentLinkedQueue<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void stopServers() {
        held.release();
        servers.forEach(MockWebServer::close);
    }

    private ServiceInstance start(String service, String version, Queue<RecordedRequest> received,
            Function<RecordedRequest, MockResponse> answer) {
        MockWebServer server = Backends.serve(request -> {
            received.add(request);
            return answer.apply(request);
        });
        servers.add(server);
        return ServiceInstance.builder(service, server.getHostName(), server.getPort()).id(service + "-" + version)
                .metadata("version", version).build();
    }

    /** {@code orders} v1 answers at once; its v2, the shadow, answers as {@code shadow} says. */
    private MeshClient mesh(Function<RecordedRequest, MockResponse> shadow, int maxInFlight, double percent) {
        ServiceInstance primary = start("orders", "v1", primaryReceived, request -> HeldAnswers.ok("v1"));
        ServiceInstance copy = start("orders", "v2", shadowReceived, shadow);
        MeshPolicy policy = MeshPolicy.builder().service(ServiceRoutes.builder("orders")
                .subset(Subset.builder("v1").metadata("version", "v1").build())
                .subset(Subset.builder("v2").metadata("version", "v2").build())
                .route(Route.builder("all").to("v1").mirror(Mirror.toSubset("v2", percent)).build())
                .build()).build();
        return MeshClient.builder().discovery(StaticDiscovery.of(primary, copy)).meterRegistry(meters)
                .maxMirrorsInFlight(maxInFlight).policy(policy).build();
    }

    private double mirrors(String result) {
        return meters.find("mesh.client.mirrors").tags("result", result).counters().stream()
                .mapToDouble(counter -> counter.count()).sum();
    }

    private static Request post(String body) {
        return new Request.Builder().url("http://orders/orders")
                .post(RequestBody.create(body, MediaType.get("application/json"))).build();
    }

    @Test
    void shouldAnswerCallerWhileShadowHangsAndSendEachPostOnceWhenRouteMirrorsAll() throws IOException {
        try (MeshClient mesh = mesh(request -> held.held("v2"), 64, 100)) {
            for (int i = 0; i < 5; i++) {
                try (Response response = mesh.newCall(post("{\"n\":" + i + "}")).execute()) {
                    assertThat(response.body().string()).isEqualTo("v1");
                }
            }
            try (Response response = mesh.okHttpClient().newCall(post("{\"n\":5}")).execute()) {
                assertThat(response.body().string()).isEqualTo("v1");
            }
            assertThat(Calls.enqueue(mesh.newCall(post("{\"n\":6}"))).join()).isEqualTo("v1");
            await().atMost(Duration.ofSeconds(5)).until(() -> shadowReceived.size() == 7);
            assertThat(mirrors("answered")).as("every copy still held by the shadow").isZero();

            held.release();
            await().atMost(Duration.ofSeconds(5)).until(() -> mirrors("answered") == 7);
            assertThat(primaryReceived).hasSize(7);
            assertThat(shadowReceived).hasSize(7);
            assertThat(shadowReceived).allSatisfy(copy -> {
                assertThat(copy.getMethod()).isEqualTo("POST");
                assertThat(copy.getHeaders().get("Host")).isEqualTo("orders-shadow");
            });
            assertThat(shadowReceived).extracting(copy -> copy.getBody().utf8()).containsExactlyInAnyOrder(
                    "{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}", "{\"n\":5}", "{\"n\":6}");
            assertThat(primaryReceived).allSatisfy(call ->
                    assertThat(call.getHeaders().get("Host")).isEqualTo("orders"));
        }
    }

    @Test
    void shouldSendEachCopyOnceWhenShadowFails() throws IOException {
        try (MeshClient mesh = mesh(request -> new MockResponse.Builder().code(503).build(), 64, 100)) {
            for (int i = 0; i < 10; i++) {
                try (Response response = mesh.newCall(new Request.Builder().url("http://orders/x").build())
                        .execute()) {
                    assertThat(response.code()).isEqualTo(200);
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> mirrors("answered") == 10);
            assertThat(shadowReceived).as("never retried").hasSize(10);
            assertThat(primaryReceived).hasSize(10);
        }
    }

    @Test
    void shouldDropCopiesBeyondBoundWhenShadowHoldsThem() throws IOException {
        try (MeshClient mesh = mesh(request -> held.held("v2"), 2, 100)) {
            for (int i = 0; i < 5; i++) {
                try (Response response = mesh.newCall(new Request.Builder().url("http://orders/x").build())
                        .execute()) {
                    assertThat(response.code()).isEqualTo(200);
                }
            }
            assertThat(mirrors("dropped")).isEqualTo(3);
            await().atMost(Duration.ofSeconds(5)).until(() -> shadowReceived.size() == 2);
            held.release();
            await().atMost(Duration.ofSeconds(5)).until(() -> mirrors("answered") == 2);
            assertThat(shadowReceived).hasSize(2);
            assertThat(primaryReceived).hasSize(5);
        }
    }

    @Test
    void shouldNotCopyWhenBodyIsOneShot() throws IOException {
        RequestBody oneShot = new OneShotBody("once");
        try (MeshClient mesh = mesh(request -> HeldAnswers.ok("v2"), 64, 100)) {
            try (Response response = mesh.newCall(new Request.Builder().url("http://orders/x").post(oneShot).build())
                    .execute()) {
                assertThat(response.code()).isEqualTo(200);
            }
            try (Response response = mesh.newCall(new Request.Builder().url("http://orders/x").build()).execute()) {
                assertThat(response.code()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> mirrors("answered") == 1);
            assertThat(shadowReceived).extracting(RecordedRequest::getMethod).containsExactly("GET");
            assertThat(primaryReceived).hasSize(2);
        }
    }

    @Test
    void shouldCopyToAnotherServiceWhenMirrorNamesIt() throws IOException {
        ServiceInstance primary = start("orders", "v1", primaryReceived, request -> HeldAnswers.ok("v1"));
        ServiceInstance other = start("orders-next", "v1", shadowReceived, request -> HeldAnswers.ok("next"));
        MeshPolicy policy = MeshPolicy.builder().service(ServiceRoutes.builder("orders")
                .subset(Subset.builder("all").build())
                .route(Route.builder("all").to("all").mirror(Mirror.toService("orders-next", 100)).build())
                .build()).build();
        try (MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(primary, other))
                .meterRegistry(meters).policy(policy).build()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                try (Response response = mesh.newCall(new Request.Builder().url("http://orders/x").build())
                        .execute()) {
                    return response.code() == 200 && !shadowReceived.isEmpty();
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> mirrors("answered") == shadowReceived.size());
            assertThat(shadowReceived.size()).isLessThanOrEqualTo(primaryReceived.size());
            assertThat(shadowReceived).allSatisfy(copy ->
                    assertThat(copy.getHeaders().get("Host")).isEqualTo("orders-shadow"));
            assertThat(mirrors("answered") + mirrors("dropped")).isEqualTo(primaryReceived.size());
        }
    }
}
