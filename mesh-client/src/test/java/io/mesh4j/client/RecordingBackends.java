package io.mesh4j.client;

import io.mesh4j.api.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * Loopback backends of an {@code orders} service that record the {@code X-Call} header of every request they
 * receive ({@code ?} when absent), so tests can assert which calls reached which backend and how often.
 */
final class RecordingBackends implements AutoCloseable {

    private final List<MockWebServer> servers = new ArrayList<>();
    private final List<ServiceInstance> instances = new ArrayList<>();
    private final Map<Integer, List<String>> received = new ConcurrentHashMap<>();

    /** Starts backend number {@code servers().size()}, id {@code backend-<n>}, answering with {@code answer}. */
    MockWebServer add(Function<RecordedRequest, MockResponse> answer) {
        int index = servers.size();
        received.put(index, new CopyOnWriteArrayList<>());
        MockWebServer server = Backends.serve(request -> {
            String call = request.getHeaders().get("X-Call");
            received.get(index).add(call == null ? "?" : call);
            return answer.apply(request);
        });
        servers.add(server);
        instances.add(ServiceInstance.builder("orders", server.getHostName(), server.getPort())
                .id("backend-" + index).build());
        return server;
    }

    /** The instances for discovery, in the order added; tests may add instances that are not backends. */
    List<ServiceInstance> instances() {
        return instances;
    }

    MockWebServer server(int index) {
        return servers.get(index);
    }

    /** The X-Call values backend {@code index} received, in order. */
    List<String> received(int index) {
        return received.get(index);
    }

    /** Requests all backends received. */
    int total() {
        return received.values().stream().mapToInt(List::size).sum();
    }

    /** Forgets what was received so far. */
    void clearReceived() {
        received.values().forEach(List::clear);
    }

    @Override
    public void close() {
        servers.forEach(MockWebServer::close);
    }
}
