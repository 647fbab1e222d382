package io.mesh4j.benchmarks.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.StaticDiscovery;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Discovery by polling, as SmallRye Stork's Consul discovery (a cache refreshed every {@code refresh-period}, 5
 * minutes by default) and Spring Cloud LoadBalancer's cached instance list ({@code spring.cloud.loadbalancer.cache.ttl},
 * 35 s by default) do: Consul's health endpoint is read without an index every period, and the answer replaces the
 * instances a {@link StaticDiscovery} hands to the mesh. The first poll runs at once.
 */
final class PollingDiscovery implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StaticDiscovery discovery = StaticDiscovery.of(List.of());
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "polling-discovery");
        thread.setDaemon(true);
        return thread;
    });
    private final OkHttpClient http = new OkHttpClient();
    private final Request request;
    private final String service;
    private final AtomicLong polls = new AtomicLong();

    PollingDiscovery(String agentUrl, String service, long periodMillis) {
        this.service = service;
        this.request = new Request.Builder().url(agentUrl + "/v1/health/service/" + service + "?passing=true")
                .build();
        poller.scheduleAtFixedRate(this::poll, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    StaticDiscovery discovery() {
        return discovery;
    }

    /** Polls answered so far. */
    long polls() {
        return polls.get();
    }

    private void poll() {
        try (Response response = http.newCall(request).execute()) {
            List<ServiceInstance> instances = new ArrayList<>();
            for (JsonNode entry : JSON.readTree(response.body().byteStream())) {
                JsonNode instance = entry.get("Service");
                instances.add(ServiceInstance.builder(service, instance.get("Address").asText(),
                        instance.get("Port").asInt()).id(instance.get("ID").asText()).build());
            }
            discovery.setInstances(service, instances);
            polls.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            // Keep the last answer, as the pollers it stands for do; the next period tries again.
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
