package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.ClientClosedException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a closed mesh client still does, and what it refuses. */
class ClientLifecycleTest {

    private final Backends backends = Backends.start(1);
    private final MockWebServer outside = Backends.serve(request -> new MockResponse.Builder().body("outside")
            .build());

    @AfterEach
    void tearDown() {
        backends.close();
        outside.close();
    }

    private MeshClient mesh() {
        return MeshClient.builder().discovery(StaticDiscovery.of(backends.instances("orders"))).build();
    }

    private Request outsideRequest() {
        return new Request.Builder().url(outside.url("/plain")).build();
    }

    private static String body(Call call) throws IOException {
        try (Response response = call.execute()) {
            return response.body().string();
        }
    }

    @Test
    void shouldFailMeshCallsWithTypedErrorAndPassOtherHostsThroughWhenClosed() throws IOException {
        MeshClient mesh = mesh();
        OkHttpClient own = new OkHttpClient.Builder().addInterceptor(mesh.interceptor()).build();
        assertThat(body(mesh.okHttpClient().newCall(new Request.Builder().url("http://orders/x").build())))
                .isEqualTo("backend-0");

        mesh.close();

        for (OkHttpClient client : new OkHttpClient[] {mesh.okHttpClient(), own}) {
            assertThatThrownBy(() -> body(client.newCall(new Request.Builder().url("http://orders/x").build())))
                    .isInstanceOf(ClientClosedException.class)
                    .hasMessageContaining("'orders'");
            assertThat(body(client.newCall(outsideRequest()))).isEqualTo("outside");
        }
        assertThat(backends.get(0).getRequestCount()).isEqualTo(1);
        assertThat(outside.getRequestCount()).isEqualTo(2);
    }

    @Test
    void shouldDeliverTypedErrorToCallbackWhenAsyncCallFollowsClose() throws Exception {
        MeshClient mesh = mesh();
        mesh.close();

        CompletableFuture<String> answer = Calls.enqueue(
                mesh.okHttpClient().newCall(new Request.Builder().url("http://orders/x").build()));

        assertThat(answer).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(ClientClosedException.class);
        assertThat(backends.get(0).getRequestCount()).isZero();
    }

    @Test
    void shouldCloseOnceAndLetOwnDispatcherThreadsEndWhenClosedTwice() throws IOException {
        MeshClient mesh = mesh();
        ThreadPoolExecutor threads = (ThreadPoolExecutor) mesh.okHttpClient().dispatcher().executorService();
        assertThat(Calls.enqueue(mesh.okHttpClient().newCall(new Request.Builder().url("http://orders/x").build()))
                .join()).isEqualTo("backend-0");

        mesh.close();
        mesh.close();

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> threads.getPoolSize() == 0);
        assertThat(threads.isShutdown()).as("still serves hosts outside the mesh").isFalse();
    }

    @Test
    void shouldLeaveCallersClientUntouchedWhenClosed() throws IOException {
        OkHttpClient base = new OkHttpClient();
        MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(backends.instances("orders")))
                .okHttpClient(base).build();

        mesh.close();

        assertThat(base.dispatcher().executorService().isShutdown()).isFalse();
        assertThat(body(base.newCall(outsideRequest()))).isEqualTo("outside");
    }
}
