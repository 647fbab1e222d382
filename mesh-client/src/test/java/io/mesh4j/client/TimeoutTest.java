package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.resilience.RetryConfig;
import io.mesh4j.resilience.TimeoutConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deadlines and per-try timeouts. Time is the client's ticker, moved by the backends as if each answer took that
 * long; the timeouts each attempt ran with are read by a network interceptor.
 */
class TimeoutTest {

    private final RecordingBackends backends = new RecordingBackends();
    private final ManualTicker ticker = new ManualTicker();
    private final List<String> deadlineHeaders = new CopyOnWriteArrayList<>();
    private final List<Integer> readTimeouts = new CopyOnWriteArrayList<>();
    private MeshClient mesh;

    @AfterEach
    void tearDown() {
        if (mesh != null) {
            mesh.close();
        }
        backends.close();
    }

    /** A backend that answers {@code code} after "taking" {@code took} on the client's ticker. */
    private void backend(int code, Duration took) {
        backends.add(request -> {
            deadlineHeaders.add(String.valueOf(request.getHeaders().get("X-Deadline-Ms")));
            ticker.advance(took);
            return new MockResponse.Builder().code(code).body("from " + code).build();
        });
    }

    private int get(TimeoutConfig timeouts, OkHttpClient.Builder base) throws IOException {
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(backends.instances()))
                .ticker(ticker)
                .okHttpClient(base.addNetworkInterceptor(chain -> {
                    readTimeouts.add(chain.readTimeoutMillis());
                    return chain.proceed(chain.request());
                }).build())
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin())
                        .retry(RetryConfig.custom().backoffBase(Duration.ZERO).backoffMax(Duration.ZERO).build())
                        .timeouts(timeouts).build())
                .build();
        try (Response response = mesh.okHttpClient().newCall(new Request.Builder().url("http://orders/x").build())
                .execute()) {
            response.body().string();
            return response.code();
        }
    }

    @Test
    void shouldNotRetryWhenOverallDeadlinePassedDuringFirstAttempt() throws IOException {
        backend(503, Duration.ofSeconds(2));
        backend(200, Duration.ZERO);

        int status = get(TimeoutConfig.custom().overallTimeout(Duration.ofSeconds(1)).build(),
                new OkHttpClient.Builder());

        assertThat(status).isEqualTo(503);
        assertThat(backends.total()).isEqualTo(1);
    }

    @Test
    void shouldRetryElsewhereWhenTimeIsLeftAfterFirstAttempt() throws IOException {
        backend(503, Duration.ofMillis(500));
        backend(200, Duration.ZERO);

        int status = get(TimeoutConfig.custom().overallTimeout(Duration.ofSeconds(1)).build(),
                new OkHttpClient.Builder());

        assertThat(status).isEqualTo(200);
        assertThat(backends.total()).isEqualTo(2);
    }

    @Test
    void shouldTellCalleeTheTimeLeftWhenDeadlineHeaderIsSet() throws IOException {
        backend(503, Duration.ofMillis(300));
        backend(200, Duration.ZERO);

        get(TimeoutConfig.custom().overallTimeout(Duration.ofSeconds(1)).deadlineHeader("X-Deadline-Ms").build(),
                new OkHttpClient.Builder());

        assertThat(deadlineHeaders).containsExactly("1000", "700");
    }

    @Test
    void shouldCutPerTryTimeoutToTimeLeftWhenDeadlineNears() throws IOException {
        backend(503, Duration.ofMillis(700));
        backend(200, Duration.ZERO);

        get(TimeoutConfig.custom().perTryTimeout(Duration.ofMillis(500)).overallTimeout(Duration.ofSeconds(1))
                .build(), new OkHttpClient.Builder());

        assertThat(readTimeouts).containsExactly(500, 300);
    }

    @Test
    void shouldKeepClientsOwnTimeoutsWhenDeadlineIsLongerAndNoPerTryTimeoutIsSet() throws IOException {
        backend(503, Duration.ofSeconds(14));
        backend(200, Duration.ZERO);

        get(TimeoutConfig.ofDefaults(), new OkHttpClient.Builder().readTimeout(Duration.ofMillis(2_500)));

        assertThat(readTimeouts).as("15 s deadline: 2.5 s kept, then 1 s left").containsExactly(2_500, 1_000);
    }

    @Test
    void shouldRetryElsewhereWhenAttemptExceedsPerTryTimeout() throws Exception {
        backends.add(request -> new MockResponse.Builder().headersDelay(3, TimeUnit.SECONDS).body("slow").build());
        backends.add(request -> new MockResponse.Builder().body("fast").build());

        int status = get(TimeoutConfig.custom().perTryTimeout(Duration.ofMillis(200)).build(),
                new OkHttpClient.Builder());

        assertThat(status).isEqualTo(200);
        assertThat(backends.received(0)).hasSize(1);
        assertThat(backends.received(1)).hasSize(1);
    }

    @Test
    void shouldStateDefaultsAndFailNamingRuleWhenTimeoutsContradict() {
        assertThat(TimeoutConfig.ofDefaults().perTryTimeout()).isZero();
        assertThat(TimeoutConfig.ofDefaults().overallTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(TimeoutConfig.custom().perTryTimeout(Duration.ofSeconds(30)).build().overallTimeout())
                .as("an unset deadline grows to an explicit longer per-try timeout")
                .isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> TimeoutConfig.custom().perTryTimeout(Duration.ofSeconds(2))
                .overallTimeout(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("overallTimeout: 1s (expected: >= perTryTimeout 2s, as no attempt can outlast the call,"
                        + " or 0 for no deadline)");
        assertThatThrownBy(() -> TimeoutConfig.custom().perTryTimeout(Duration.ofMillis(-5)).build())
                .hasMessage("perTryTimeout: -5ms (expected: 1ms to 1h)");
        assertThatThrownBy(() -> TimeoutConfig.custom().deadlineHeader(" ").build())
                .hasMessageStartingWith("deadlineHeader: ' '");
    }
}
