package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.MeshException;
import io.mesh4j.api.NoHealthyInstanceException;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.UnknownServiceException;
import io.mesh4j.lb.LoadBalancers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MeshInterceptorTest {

    private Backends backends;
    private StaticDiscovery discovery;
    private MeshClient mesh;

    @BeforeEach
    void setUp() {
        backends = Backends.start(3);
        discovery = StaticDiscovery.of(backends.instances("orders"));
        mesh = MeshClient.builder()
                .discovery(discovery)
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build())
                .build();
    }

    @AfterEach
    void tearDown() {
        mesh.close();
        backends.close();
    }

    private String get(OkHttpClient client, String url) throws IOException {
        try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
            return response.body().string();
        }
    }

    @Test
    void shouldReachInstancesInTurnWhenServiceHasThree() throws IOException {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(get(mesh.okHttpClient(), "http://orders/v1/items"));
        }

        assertThat(answers).containsExactly(
                "backend-0", "backend-1", "backend-2", "backend-0", "backend-1", "backend-2");
    }

    @Test
    void shouldKeepMethodPathQueryHeadersAndBodyWhenRewriting() throws Exception {
        discovery.setInstances("orders", List.of(backends.instance("orders", 1)));
        Request request = new Request.Builder()
                .url("http://orders/v1/items/a%20b?q=1&tag=x%2Fy&empty")
                .header("X-Request-Id", "r-42")
                .addHeader("Accept", "application/json")
                .put(RequestBody.create("{\"n\":1}", MediaType.get("application/json")))
                .build();

        try (Response response = mesh.okHttpClient().newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("backend-1");
        }

        RecordedRequest received = backends.get(1).takeRequest(5, TimeUnit.SECONDS);
        assertThat(received.getMethod()).isEqualTo("PUT");
        assertThat(received.getTarget()).isEqualTo("/v1/items/a%20b?q=1&tag=x%2Fy&empty");
        assertThat(received.getHeaders().get("X-Request-Id")).isEqualTo("r-42");
        assertThat(received.getHeaders().get("Accept")).isEqualTo("application/json");
        assertThat(received.getHeaders().get("Content-Type")).startsWith("application/json");
        assertThat(received.getBody().utf8()).isEqualTo("{\"n\":1}");
        assertThat(backends.get(0).getRequestCount()).isZero();
    }

    @Test
    void shouldFailNamingServiceWhenHostUnknownAndPolicyIsFail() {
        MeshClient strict = mesh.newBuilder().unknownHostPolicy(UnknownHostPolicy.FAIL).build();

        assertThatThrownBy(() -> get(strict.okHttpClient(), "http://payments/v1/charge"))
                .isInstanceOf(UnknownServiceException.class)
                .hasMessageContaining("'payments'")
                .satisfies(e -> assertThat(((MeshException) e).service()).isEqualTo("payments"));
        strict.close();
    }

    @Test
    void shouldPassThroughUntouchedWhenHostIsNotAMeshService() throws Exception {
        MockWebServer outside = backends.add("outside");

        String answer = get(mesh.okHttpClient(), outside.url("/direct?x=1").toString());

        assertThat(answer).isEqualTo("outside");
        assertThat(outside.takeRequest(5, TimeUnit.SECONDS).getTarget()).isEqualTo("/direct?x=1");
    }

    @Test
    void shouldFailWithNoHealthyInstanceWhenServiceHasNone() {
        discovery.setInstances("orders", List.of());

        assertThatThrownBy(() -> get(mesh.okHttpClient(), "http://orders/"))
                .isInstanceOf(NoHealthyInstanceException.class)
                .hasMessageContaining("'orders'");
    }

    @Test
    void shouldUseDiscoveryChangeOnTheVeryNextRequest() throws IOException {
        discovery.setInstances("orders", List.of(backends.instance("orders", 0)));
        assertThat(get(mesh.okHttpClient(), "http://orders/")).isEqualTo("backend-0");

        discovery.setInstances("orders", List.of(backends.instance("orders", 2)));
        assertThat(get(mesh.okHttpClient(), "http://orders/")).isEqualTo("backend-2");

        discovery.addInstance(backends.instance("orders", 1));
        discovery.removeInstance("orders", "backend-2");
        assertThat(get(mesh.okHttpClient(), "http://orders/")).isEqualTo("backend-1");
    }

    @Test
    void shouldServeANewServiceWhenDiscoveryLearnsItLater() throws IOException {
        MeshClient strict = mesh.newBuilder().unknownHostPolicy(UnknownHostPolicy.FAIL).build();
        assertThatThrownBy(() -> get(strict.okHttpClient(), "http://payments/")).isInstanceOf(
                UnknownServiceException.class);

        discovery.addInstance(backends.instance("payments", 2));

        assertThat(get(strict.okHttpClient(), "http://payments/")).isEqualTo("backend-2");
        strict.close();
    }

    @Test
    void shouldWorkAsDropInWhenAddedToAnExistingClient() throws IOException {
        OkHttpClient existing = new OkHttpClient.Builder().callTimeout(5, TimeUnit.SECONDS).build();
        OkHttpClient meshed = existing.newBuilder().addInterceptor(mesh.interceptor()).build();

        assertThat(get(meshed, "http://orders/")).startsWith("backend-");
        assertThat(get(existing, backends.get(0).url("/").toString())).isEqualTo("backend-0");
    }

    @Test
    void shouldDeliverTypedErrorToCallbackWhenCallIsAsynchronous() throws Exception {
        discovery.setInstances("orders", List.of());

        CompletableFuture<String> answer = Calls.enqueue(
                mesh.okHttpClient().newCall(new Request.Builder().url("http://orders/").build()));

        assertThat(answer).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(NoHealthyInstanceException.class);
    }

    @Test
    void shouldSurfaceConnectFailureWhenInstanceIsDown() throws IOException {
        discovery.setInstances("orders",
                List.of(ServiceInstance.builder("orders", "127.0.0.1", Backends.closedPort()).build()));

        assertThatThrownBy(() -> get(mesh.okHttpClient(), "http://orders/"))
                .isInstanceOf(java.net.ConnectException.class);
    }
}
