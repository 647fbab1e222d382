package io.mesh4j.client;

import io.mesh4j.api.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * Loopback backends of service {@code orders}, each an instance with a {@code version} metadata entry and tags, that
 * answer with their own name and keep every request they read, so tests count what reached which version.
 */
final class VersionedBackends implements AutoCloseable {

    private final List<MockWebServer> servers = new ArrayList<>();
    private final List<ServiceInstance> instances = new ArrayList<>();
    private final List<Queue<RecordedRequest>> received = new ArrayList<>();

    /** Starts backend {@code name} of {@code version} with {@code tags}, answering 200 with its name. */
    VersionedBackends add(String name, String version, String... tags) {
        Queue<RecordedRequest> requests = new ConcurrentLinkedQueue<>();
        MockWebServer server = Backends.serve(request -> {
            requests.add(request);
            return new MockResponse.Builder().code(200).body(name).build();
        });
        servers.add(server);
        received.add(requests);
        instances.add(ServiceInstance.builder("orders", server.getHostName(), server.getPort()).id(name)
                .metadata("version", version).tags(tags).build());
        return this;
    }

    List<ServiceInstance> instances() {
        return instances;
    }

    /** The requests backend {@code index} read. */
    Queue<RecordedRequest> received(int index) {
        return received.get(index);
    }

    /** How many requests the backends of {@code version} read together. */
    int count(String version) {
        int count = 0;
        for (int i = 0; i < instances.size(); i++) {
            if (version.equals(instances.get(i).metadata().get("version"))) {
                count += received.get(i).size();
            }
        }
        return count;
    }

    /** How many requests all backends read. */
    int total() {
        return received.stream().mapToInt(Queue::size).sum();
    }

    void clear() {
        received.forEach(Queue::clear);
    }

    @Override
    public void close() {
        servers.forEach(MockWebServer::close);
    }
}
