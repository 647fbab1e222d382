package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mesh4j.client.internal.MeshCallHandler;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.resilience.RetryConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * Nothing below the mesh sends a request again: counted by the backends, through the mesh's own client and through
 * a caller's client that only has the mesh interceptor.
 */
class NoHiddenResendTest {

    /** A 20% budget without the per-second floor, on a ticker that stands still: at most 1 retry per 5 calls. */
    private static final RetryConfig TWENTY_PERCENT = RetryConfig.custom().backoffBase(Duration.ZERO)
            .backoffMax(Duration.ZERO).budgetPercent(20).budgetMinPerSecond(0).build();

    /** How the test reaches the mesh. */
    enum Client {
        /** {@link MeshClient#okHttpClient()}. */
        MESH_CLIENT,
        /** A plain {@code new OkHttpClient()} (retryOnConnectionFailure on) with the mesh interceptor added. */
        OWN_CLIENT_WITH_INTERCEPTOR,
        /** {@link MeshClient#newCall}: the mesh runs the call, each attempt a call of the mesh's client. */
        MESH_CALLS,
        /** {@link MeshClient#callFactory} over a plain {@code new OkHttpClient()}. */
        OWN_CLIENT_CALL_FACTORY
    }

    private final RecordingBackends backends = new RecordingBackends();
    private MeshClient mesh;

    @AfterEach
    void tearDown() {
        if (mesh != null) {
            mesh.close();
        }
        backends.close();
    }

    private Call.Factory client(Client kind, RetryConfig retry) {
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(backends.instances()))
                .ticker(new ManualTicker())
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).retry(retry).build())
                .build();
        switch (kind) {
            case MESH_CLIENT:
                return mesh.okHttpClient();
            case OWN_CLIENT_WITH_INTERCEPTOR:
                return new OkHttpClient.Builder().addInterceptor(mesh.interceptor()).build();
            case MESH_CALLS:
                return mesh;
            default:
                return mesh.callFactory(new OkHttpClient());
        }
    }

    /** A fresh connection's first request gets 200; on a kept-alive connection the server closes the socket after reading the request. */
    private static MockResponse closeKeptAliveConnection(RecordedRequest request) {
        if (request.getExchangeIndex() == 0) {
            return new MockResponse.Builder().body("fresh connection").build();
        }
        return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
    }

    private static Call post(Call.Factory client, String id) {
        return client.newCall(new Request.Builder().url("http://orders/pay").header("X-Call", id)
                .post(RequestBody.create("{}", MediaType.get("application/json"))).build());
    }

    private static Call get(Call.Factory client, String id) {
        return client.newCall(new Request.Builder().url("http://orders/x").header("X-Call", id).build());
    }

    private static int status(Call call) throws IOException {
        try (Response response = call.execute()) {
            response.body().string();
            return response.code();
        }
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void shouldSendEachPostOnceWhenServerClosesKeptAliveConnectionAfterReadingIt(Client kind) throws IOException {
        backends.add(NoHiddenResendTest::closeKeptAliveConnection);
        Call.Factory client = client(kind, RetryConfig.ofDefaults());

        for (int i = 0; i < 5; i++) {
            assertThat(status(get(client, "warm-" + i))).isEqualTo(200);
            Call post = post(client, "pay-" + i);
            assertThatThrownBy(() -> status(post)).isInstanceOf(IOException.class);
        }

        assertThat(backends.received(0).stream().filter(id -> id.startsWith("pay-")))
                .containsExactly("pay-0", "pay-1", "pay-2", "pay-3", "pay-4");
    }

    @ParameterizedTest
    @EnumSource(value = Client.class, names = {"MESH_CLIENT", "MESH_CALLS", "OWN_CLIENT_CALL_FACTORY"})
    void shouldKeepGetsWithinBudgetAndSendPostsOnceWhenEveryInstanceAnswers503RetryAfterZero(Client kind)
            throws IOException {
        for (int i = 0; i < 3; i++) {
            backends.add(request -> new MockResponse.Builder().code(503).setHeader("Retry-After", "0").build());
        }
        Call.Factory client = client(kind, TWENTY_PERCENT);

        for (int i = 0; i < 100; i++) {
            assertThat(status(get(client, "get-" + i))).isEqualTo(503);
        }
        int gets = backends.total();
        backends.clearReceived();
        for (int i = 0; i < 20; i++) {
            assertThat(status(post(client, "post-" + i))).isEqualTo(503);
        }

        assertThat(gets).as("100 GETs and the retries a 20% budget allows").isBetween(100, 120);
        assertThat(backends.total()).as("20 POSTs").isEqualTo(20);
    }

    @ParameterizedTest
    @EnumSource(value = Client.class, names = {"MESH_CLIENT", "MESH_CALLS", "OWN_CLIENT_CALL_FACTORY"})
    void shouldHandRetryAfterZeroOnAsEquivalentDateWhenMeshClientSends(Client kind) throws IOException {
        backends.add(request -> new MockResponse.Builder().code(503).setHeader("Retry-After", "0")
                .setHeader("Date", "Thu, 03 Dec 2026 08:00:00 GMT").build());
        Call.Factory client = client(kind, RetryConfig.disabled());

        try (Response response = get(client, "once").execute()) {
            assertThat(response.code()).isEqualTo(503);
            assertThat(response.header("Retry-After")).isEqualTo("Thu, 03 Dec 2026 08:00:00 GMT");
        }
        assertThat(backends.received(0)).containsExactly("once");
    }

    @Test
    void shouldWarnOnceWhenCallersOwnClientResends503RetryAfterZeroBelowMesh() throws IOException {
        backends.add(request -> new MockResponse.Builder().code(503).setHeader("Retry-After", "0").build());
        Call.Factory client = client(Client.OWN_CLIENT_WITH_INTERCEPTOR, RetryConfig.disabled());
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(MeshCallHandler.class);
        warnings.start();
        logger.addAppender(warnings);
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(status(get(client, "get-" + i))).isEqualTo(503);
            }
        } finally {
            logger.detachAppender(warnings);
        }

        List<ILoggingEvent> events = warnings.list;
        assertThat(events).hasSize(1);
        assertThat(events.get(0).getFormattedMessage()).contains("OkHttp resent a request to service 'orders'")
                .contains("MeshClient.callFactory");
        assertThat(backends.received(0)).as("OkHttp's own resend, which only the mesh's client prevents")
                .containsExactly("get-0", "get-0", "get-1", "get-1", "get-2", "get-2");
    }
}
