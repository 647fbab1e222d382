package io.mesh4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Ticker;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.client.UnknownHostPolicy;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.resilience.RetryConfig;
import io.mesh4j.routing.MeshPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class MeshCallHandlerTest {

    @Test
    void shouldWaitWhatRetryAfterAsksWhenRetrying() throws Exception {
        try (MockWebServer busy = new MockWebServer(); MockWebServer idle = new MockWebServer()) {
            busy.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "2").build());
            idle.enqueue(new MockResponse.Builder().code(200).body("ok").build());
            busy.start();
            idle.start();
            StaticDiscovery discovery = StaticDiscovery.of(
                    ServiceInstance.builder("orders", busy.getHostName(), busy.getPort()).id("busy").build(),
                    ServiceInstance.builder("orders", idle.getHostName(), idle.getPort()).id("idle").build());
            ServiceSettings settings = ServiceSettings.custom().balancer(LoadBalancers.roundRobin())
                    .retry(RetryConfig.custom().backoffBase(Duration.ofSeconds(1)).backoffMax(Duration.ofSeconds(1))
                            .build())
                    .build();
            OkHttpClient base = new OkHttpClient();
            Telemetry telemetry = new Telemetry(null, true, null, null);
            ServiceRegistry registry = new ServiceRegistry(discovery, name -> settings,
                    new ClientResources(base, Ticker.system()), telemetry, MeshPolicy.empty());
            List<Long> waits = new CopyOnWriteArrayList<>();
            MeshCallHandler handler = new MeshCallHandler(registry, UnknownHostPolicy.PASS_THROUGH, telemetry,
                    Ticker.system(), (call, nanos) -> waits.add(nanos), 1, () -> base, new RequestLimits(100, 61_440));
            OkHttpClient client = base.newBuilder().addInterceptor(handler::handle).build();

            try (Response response = client.newCall(new Request.Builder().url("http://orders/x").build()).execute()) {
                assertThat(response.body().string()).isEqualTo("ok");
            }

            assertThat(waits).containsExactly(Duration.ofSeconds(2).toNanos());
            registry.close();
        }
    }
}
