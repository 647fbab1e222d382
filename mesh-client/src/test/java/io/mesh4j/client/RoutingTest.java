package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.NoHealthyInstanceException;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.resilience.RetryConfig;
import io.mesh4j.resilience.TimeoutConfig;
import io.mesh4j.routing.Fault;
import io.mesh4j.routing.MeshPolicy;
import io.mesh4j.routing.PathMatch;
import io.mesh4j.routing.Route;
import io.mesh4j.routing.RouteMatch;
import io.mesh4j.routing.ServiceRoutes;
import io.mesh4j.routing.Subset;
import io.mesh4j.routing.ValueMatch;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Routes, subsets, splits and route settings, end to end over loopback backends that count what they read. */
class RoutingTest {

    private static final Subset V1 = Subset.builder("v1").metadata("version", "v1").build();
    private static final Subset V2 = Subset.builder("v2").metadata("version", "v2").build();

    private VersionedBackends backends;

    @BeforeEach
    void startBackends() {
        backends = new VersionedBackends()
                .add("v1-a", "v1")
                .add("v1-b", "v1")
                .add("v2-a", "v2", "canary")
                .add("v2-b", "v2");
    }

    @AfterEach
    void stopBackends() {
        backends.close();
    }

    private MeshClient mesh(ServiceRoutes routes) {
        return MeshClient.builder().discovery(StaticDiscovery.of(backends.instances()))
                .policy(MeshPolicy.builder().service(routes).build()).build();
    }

    private static ServiceRoutes.Builder orders() {
        return ServiceRoutes.builder("orders").subset(V1).subset(V2);
    }

    private static String call(MeshClient mesh, Request request) throws IOException {
        try (Response response = mesh.newCall(request).execute()) {
            return response.body().string();
        }
    }

    private static Request get(String path) {
        return new Request.Builder().url("http://orders" + path).build();
    }

    @Test
    void shouldSendEachRequestToItsRouteSubsetWhenRoutesMatchInOrder() throws IOException {
        ServiceRoutes routes = orders()
                .route(Route.builder("testers")
                        .match(RouteMatch.builder().header("x-tester", ValueMatch.present()).build()).to("v2").build())
                .route(Route.builder("reads")
                        .match(RouteMatch.builder().methods("GET").path(PathMatch.prefix("/items")).build())
                        .to("v1").build())
                .route(Route.builder("beta").match(RouteMatch.builder().queryParameter("beta",
                        ValueMatch.exact("1")).build()).to("v2").build())
                .build();
        try (MeshClient mesh = mesh(routes)) {
            for (int i = 0; i < 10; i++) {
                call(mesh, new Request.Builder().url("http://orders/items/1").header("x-tester", "yes").build());
            }
            assertThat(backends.count("v2")).isEqualTo(10);
            assertThat(backends.count("v1")).isZero();
            for (int i = 0; i < 10; i++) {
                call(mesh, get("/items/" + i + "?beta=1"));
            }
            assertThat(backends.count("v1")).as("the earlier route wins").isEqualTo(10);
            for (int i = 0; i < 10; i++) {
                call(mesh, get("/orders?beta=1"));
            }
            assertThat(backends.count("v2")).isEqualTo(20);
            for (int i = 0; i < 20; i++) {
                call(mesh, get("/other"));
            }
            assertThat(backends.total()).as("requests no route takes go to the whole service").isEqualTo(50);
            assertThat(backends.count("v1")).isBetween(11, 29);
        }
    }

    @Test
    void shouldSendOnlyToTaggedInstancesWhenSubsetSelectsByTag() throws IOException {
        ServiceRoutes routes = ServiceRoutes.builder("orders")
                .subset(Subset.builder("canary").tags("canary").build())
                .route(Route.builder("all").to("canary").build())
                .build();
        try (MeshClient mesh = mesh(routes)) {
            Set<String> answeredBy = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                answeredBy.add(call(mesh, get("/x")));
            }
            assertThat(answeredBy).containsExactly("v2-a");
            assertThat(backends.received(2)).hasSize(20);
            assertThat(backends.total()).isEqualTo(20);
        }
    }

    @Test
    void shouldSplit90To10WithinOneAndAHalfPointsWhenCanaryTakesTenThousandCalls() throws IOException {
        ServiceRoutes routes = orders().route(Route.builder("canary").split("v1", 90).split("v2", 10).build())
                .build();
        try (MeshClient mesh = mesh(routes)) {
            int calls = 10_000;
            for (int i = 0; i < calls; i++) {
                call(mesh, get("/x"));
            }
            assertThat(backends.total()).isEqualTo(calls);
            double canaryPercent = 100.0 * backends.count("v2") / calls;
            // Binomial standard deviation at 10,000 calls: 0.3 points; 1.5 points is five of them.
            assertThat(canaryPercent).isBetween(8.5, 11.5);
        }
    }

    @Test
    void shouldKeepEachUserOnOneSideWhenSplitIsStickyOnHeader() throws IOException {
        ServiceRoutes routes = orders()
                .route(Route.builder("canary").split("v1", 50).split("v2", 50).stickyOn("x-user").build())
                .build();
        try (MeshClient mesh = mesh(routes)) {
            Map<String, Set<String>> versionsByUser = new HashMap<>();
            for (int user = 0; user < 100; user++) {
                for (int i = 0; i < 5; i++) {
                    String answer = call(mesh, new Request.Builder().url("http://orders/x")
                            .header("x-user", "user-" + user).build());
                    versionsByUser.computeIfAbsent("user-" + user, key -> new HashSet<>())
                            .add(answer.substring(0, 2));
                }
            }
            assertThat(versionsByUser.values()).allSatisfy(versions -> assertThat(versions).hasSize(1));
            assertThat(versionsByUser.values()).anySatisfy(versions -> assertThat(versions).containsExactly("v1"));
            assertThat(versionsByUser.values()).anySatisfy(versions -> assertThat(versions).containsExactly("v2"));
            assertThat(backends.total()).isEqualTo(500);
        }
    }

    @Test
    void shouldFallBackToDefaultSubsetWhenRoutedSubsetHasNoInstance() throws IOException {
        ServiceRoutes routes = orders().subset(Subset.builder("v3").metadata("version", "v3").build())
                .route(Route.builder("next").to("v3").build())
                .fallbackSubset("v1")
                .build();
        try (MeshClient mesh = mesh(routes)) {
            for (int i = 0; i < 10; i++) {
                assertThat(call(mesh, get("/x"))).startsWith("v1-");
            }
            assertThat(backends.count("v1")).isEqualTo(10);
            assertThat(backends.total()).isEqualTo(10);
        }
    }

    @Test
    void shouldFailNamingSubsetWhenRoutedSubsetHasNoInstanceAndNoFallback() {
        ServiceRoutes routes = orders().subset(Subset.builder("v3").metadata("version", "v3").build())
                .route(Route.builder("next").to("v3").build())
                .build();
        try (MeshClient mesh = mesh(routes)) {
            assertThatThrownBy(() -> call(mesh, get("/x")))
                    .isInstanceOfSatisfying(NoHealthyInstanceException.class, e -> {
                        assertThat(e.subset()).isEqualTo("v3");
                        assertThat(e.subsetInstances()).isZero();
                        assertThat(e.knownInstances()).isEqualTo(4);
                    })
                    .hasMessageContaining("subset 'v3' of service 'orders'");
            assertThat(backends.total()).isZero();
        }
    }

    @Test
    void shouldEditRequestWhenRouteSetsHeadersRewritesPrefixAndAuthority() throws IOException {
        ServiceRoutes routes = orders()
                .route(Route.builder("legacy").match(RouteMatch.builder().path(PathMatch.prefix("/v1")).build())
                        .to("v2")
                        .setRequestHeader("x-route", "legacy")
                        .removeRequestHeader("x-debug")
                        .prefixRewrite("/api/v1")
                        .authority("orders.internal")
                        .build())
                .build();
        try (MeshClient mesh = mesh(routes)) {
            call(mesh, new Request.Builder().url("http://orders/v1/items?q=1").header("x-debug", "on")
                    .header("x-route", "caller").header("Host", "caller.example").build());
            assertThat(backends.count("v2")).isEqualTo(1);
            RecordedRequest received = backends.received(2).isEmpty() ? backends.received(3).peek()
                    : backends.received(2).peek();
            assertThat(received.getTarget()).isEqualTo("/api/v1/items?q=1");
            assertThat(received.getHeaders().values("Host")).containsExactly("orders.internal");
            assertThat(received.getHeaders().values("x-route")).containsExactly("legacy");
            assertThat(received.getHeaders().get("x-debug")).isNull();
        }
    }

    @Test
    void shouldTryOnlyOnceWhenRouteAllowsOneAttemptOverServiceRetries() throws IOException {
        try (MockWebServer failing = Backends.serve(request -> new MockResponse.Builder().code(503).build());
                MockWebServer failingToo = Backends.serve(request -> new MockResponse.Builder().code(503).build())) {
            ServiceRoutes routes = ServiceRoutes.builder("orders").subset(Subset.builder("all").build())
                    .route(Route.builder("writes").match(RouteMatch.builder().path(PathMatch.prefix("/once"))
                            .build()).to("all").retries(1).build())
                    .build();
            MeshClient mesh = MeshClient.builder()
                    .discovery(StaticDiscovery.of(
                            ServiceInstance.builder("orders", "127.0.0.1", failing.getPort()).build(),
                            ServiceInstance.builder("orders", "127.0.0.1", failingToo.getPort()).build()))
                    .defaultSettings(ServiceSettings.custom().retry(RetryConfig.custom().maxAttempts(2)
                            .backoffBase(Duration.ZERO).backoffMax(Duration.ZERO).build()).build())
                    .policy(MeshPolicy.builder().service(routes).build())
                    .build();
            try (mesh) {
                try (Response response = mesh.newCall(get("/once")).execute()) {
                    assertThat(response.code()).isEqualTo(503);
                }
                assertThat(failing.getRequestCount() + failingToo.getRequestCount()).isEqualTo(1);
                try (Response response = mesh.newCall(get("/twice")).execute()) {
                    assertThat(response.code()).isEqualTo(503);
                }
                assertThat(failing.getRequestCount() + failingToo.getRequestCount())
                        .as("the service's two attempts elsewhere").isEqualTo(3);
            }
        }
    }

    @Test
    void shouldAnswerWithoutNetworkWhenRouteAbortsEveryRequest() throws IOException {
        ServiceRoutes routes = orders()
                .route(Route.builder("broken").to("v1").fault(Fault.builder().abort(503, 100).build()).build())
                .build();
        try (MeshClient mesh = mesh(routes)) {
            for (int i = 0; i < 5; i++) {
                try (Response response = mesh.newCall(get("/x")).execute()) {
                    assertThat(response.code()).isEqualTo(503);
                    assertThat(response.header("x-mesh4j-fault")).isEqualTo("abort; route=broken");
                }
                try (Response response = mesh.okHttpClient().newCall(get("/x")).execute()) {
                    assertThat(response.code()).isEqualTo(503);
                }
                assertThat(Calls.enqueue(mesh.newCall(get("/x"))).join()).isEqualTo("fault filter abort");
            }
            assertThat(backends.total()).isZero();
        }
    }

    @Test
    void shouldAbortAShareWithinThreePointsWhenRouteAbortsTwentyPercent() throws IOException {
        ServiceRoutes routes = orders()
                .route(Route.builder("flaky").to("v1").fault(Fault.builder().abort(500, 20).build()).build())
                .build();
        try (MeshClient mesh = mesh(routes)) {
            int calls = 5_000;
            int aborted = 0;
            for (int i = 0; i < calls; i++) {
                try (Response response = mesh.newCall(get("/x")).execute()) {
                    if (response.header("x-mesh4j-fault") != null) {
                        aborted++;
                    }
                }
            }
            // Binomial standard deviation at 5,000 calls: 0.57 points; 3 points is more than five of them.
            assertThat(100.0 * aborted / calls).isBetween(17.0, 23.0);
            assertThat(backends.total()).as("every call not aborted, once").isEqualTo(calls - aborted);
        }
    }

    @Test
    void shouldTimeOutWithoutSendingWhenInjectedDelayOutlastsRouteTimeout() {
        ServiceRoutes routes = orders()
                .route(Route.builder("slow").to("v1").timeout(Duration.ofMillis(50))
                        .fault(Fault.builder().delay(Duration.ofSeconds(30), 100).build()).build())
                .build();
        try (MeshClient mesh = mesh(routes)) {
            assertThatThrownBy(() -> call(mesh, get("/x"))).isInstanceOf(InterruptedIOException.class)
                    .hasMessageContaining("deadline of 50ms");
            assertThatThrownBy(() -> Calls.enqueue(mesh.newCall(get("/x"))).join())
                    .hasCauseInstanceOf(InterruptedIOException.class);
            assertThat(backends.total()).isZero();
        }
    }

    @Test
    void shouldRejectPolicyAtBuildWhenRouteDoesNotFitServiceSettings() {
        ServiceRoutes routes = orders()
                .route(Route.builder("short").to("v1").timeout(Duration.ofMillis(100)).build())
                .build();
        MeshClient.Builder builder = MeshClient.builder().discovery(StaticDiscovery.of(backends.instances()))
                .defaultSettings(ServiceSettings.custom().timeouts(TimeoutConfig.custom()
                        .perTryTimeout(Duration.ofSeconds(1)).build()).build())
                .policy(MeshPolicy.builder().service(routes).build());
        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("route 'short' of service 'orders'")
                .hasMessageContaining("overallTimeout: 100ms (expected: >= perTryTimeout 1s");
    }
}
