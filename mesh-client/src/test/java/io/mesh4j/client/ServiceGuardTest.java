package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.mesh4j.api.CircuitOpenException;
import io.mesh4j.api.ConcurrencyLimitException;
import io.mesh4j.api.RateLimitedException;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.resilience.RetryConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Circuit breaker, rate limit and concurrency limit of a service, against a real loopback server. */
class ServiceGuardTest {

    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicInteger delayMillis = new AtomicInteger();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private MockWebServer server;
    private MeshClient mesh;

    @BeforeEach
    void setUp() throws IOException {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(status.get())
                        .headersDelay(delayMillis.get(), TimeUnit.MILLISECONDS).build();
            }
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        if (mesh != null) {
            mesh.close();
        }
        server.close();
    }

    private void mesh(ServiceSettings.Builder settings) {
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(ServiceInstance.builder("orders", server.getHostName(), server.getPort())
                        .build()))
                .meterRegistry(meters)
                .defaultSettings(settings.retry(RetryConfig.disabled()).build())
                .build();
    }

    private int call() throws IOException {
        try (Response response = mesh.okHttpClient().newCall(new Request.Builder().url("http://orders/x").build())
                .execute()) {
            return response.code();
        }
    }

    @Test
    void shouldOpenHalfOpenAndCloseBreakerOnInjectedClock() throws IOException {
        ManualClock clock = new ManualClock();
        mesh(ServiceSettings.custom().circuitBreaker(CircuitBreakerConfig.custom()
                .slidingWindowSize(4).minimumNumberOfCalls(4).failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(30)).permittedNumberOfCallsInHalfOpenState(1)
                .clock(clock).build()));
        CircuitBreaker breaker = mesh.guard("orders").circuitBreaker();
        List<String> transitions = new CopyOnWriteArrayList<>();
        breaker.getEventPublisher().onStateTransition(e -> transitions.add(e.getStateTransition().toString()));
        status.set(503);

        for (int i = 0; i < 4; i++) {
            assertThat(call()).isEqualTo(503);
        }
        assertThat(meters.get("mesh.client.circuit.state").tags("state", "open").gauge().value()).isEqualTo(1.0);
        assertThatThrownBy(this::call).isInstanceOf(CircuitOpenException.class).hasMessageContaining("'orders'");
        assertThat(server.getRequestCount()).isEqualTo(4);

        clock.advance(Duration.ofSeconds(29));
        assertThatThrownBy(this::call).isInstanceOf(CircuitOpenException.class);
        clock.advance(Duration.ofSeconds(1).plusMillis(1));
        status.set(200);
        assertThat(call()).isEqualTo(200);

        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(transitions).containsExactly("State transition from CLOSED to OPEN",
                "State transition from OPEN to HALF_OPEN", "State transition from HALF_OPEN to CLOSED");
        assertThat(meters.get("mesh.client.requests").tags("outcome", "circuit_open").timer().count()).isEqualTo(2);
        assertThat(meters.get("mesh.client.circuit.state").tags("service", "orders", "state", "closed").gauge()
                .value()).isEqualTo(1.0);
        assertThat(meters.get("mesh.client.circuit.state").tags("state", "open").gauge().value()).isZero();
    }

    @Test
    void shouldAnswerWithFallbackWhenBreakerIsOpen() throws IOException {
        mesh(ServiceSettings.custom()
                .circuitBreaker(CircuitBreakerConfig.custom().slidingWindowSize(2).minimumNumberOfCalls(2)
                        .waitDurationInOpenState(Duration.ofHours(1)).build())
                .fallback((request, cause) -> new Response.Builder().request(request)
                        .protocol(okhttp3.Protocol.HTTP_1_1).code(200).message("fallback")
                        .header("X-Fallback", cause.service())
                        .body(okhttp3.ResponseBody.create("[]", okhttp3.MediaType.get("application/json")))
                        .build()));
        status.set(500);
        call();
        call();

        try (Response response = mesh.okHttpClient().newCall(new Request.Builder().url("http://orders/x").build())
                .execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("X-Fallback")).isEqualTo("orders");
            assertThat(response.body().string()).isEqualTo("[]");
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(meters.get("mesh.client.requests").tags("outcome", "circuit_open").timer().count()).isEqualTo(1);
    }

    @Test
    void shouldRejectWithTypedErrorWhenRateLimitIsSpent() throws IOException {
        mesh(ServiceSettings.custom().rateLimit(RateLimiterConfig.custom().limitForPeriod(2)
                .limitRefreshPeriod(Duration.ofHours(1)).build()));

        assertThat(call()).isEqualTo(200);
        assertThat(call()).isEqualTo(200);
        assertThatThrownBy(this::call).isInstanceOf(RateLimitedException.class);

        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(meters.get("mesh.client.requests").tags("outcome", "rate_limited").timer().count()).isEqualTo(1);
    }

    @Test
    void shouldRejectWithTypedErrorWhenConcurrencyLimitIsReached() throws Exception {
        mesh(ServiceSettings.custom().concurrencyLimit(BulkheadConfig.custom().maxConcurrentCalls(1)
                .maxWaitDuration(Duration.ofSeconds(5)).build()));
        delayMillis.set(1_000);
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> {
            try {
                return call();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(server.takeRequest(5, TimeUnit.SECONDS)).isNotNull();

        assertThatThrownBy(this::call).isInstanceOf(ConcurrencyLimitException.class);

        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(200);
        delayMillis.set(0);
        assertThat(call()).isEqualTo(200);
    }
}
