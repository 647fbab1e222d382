package io.mesh4j.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A {@link MeshClient} over {@link EtcdDiscovery} follows instances that register and deregister themselves in a
 * real etcd ({@link EtcdRegistration}) while it sends traffic: every call answers, and each backend receives calls
 * only while it is registered.
 */
class EtcdEndToEndTest {

    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();

    private MockWebServer backend(String name) throws IOException {
        MockWebServer server = new MockWebServer();
        received.put(name, new AtomicInteger());
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                received.get(name).incrementAndGet();
                return new MockResponse.Builder().body(name).build();
            }
        });
        server.start();
        return server;
    }

    private static EtcdRegistration register(EtcdServer etcd, String name, MockWebServer server) {
        ServiceInstance instance = ServiceInstance.builder("orders", "127.0.0.1", server.getPort()).id(name).build();
        return EtcdRegistration.builder(instance).connection(EtcdConnection.of(etcd.endpoint()))
                .ttl(Duration.ofSeconds(5))
                .deregisterOnShutdown(false).register();
    }

    @Test
    void shouldFollowInstancesThatRegisterAndDeregisterWhileCallsFlowWithoutFailedCall() throws Exception {
        try (EtcdServer etcd = EtcdServer.started();
                MockWebServer first = backend("first");
                MockWebServer second = backend("second");
                MockWebServer third = backend("third");
                EtcdDiscovery discovery = EtcdDiscovery.builder()
                        .connection(EtcdConnection.of(etcd.endpoint())).build();
                EtcdRegistration firstRegistration = register(etcd, "first", first);
                MeshClient mesh = MeshClient.builder().discovery(discovery).build()) {
            // The registration reaches discovery through its watch; until then 'orders' is no service at all.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                List<ServiceInstance> known = discovery.instances("orders");
                return known != null && known.size() == 1;
            });
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger answered = new AtomicInteger();
            ExecutorService callers = Executors.newFixedThreadPool(2);
            List<Future<?>> loops = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                loops.add(callers.submit(() -> {
                    while (running.get()) {
                        Request request = new Request.Builder().url("http://orders/items").build();
                        try (Response response = mesh.newCall(request).execute()) {
                            assertThat(response.code()).isEqualTo(200);
                            answered.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.get("first").get() > 20);

            try (EtcdRegistration secondRegistration = register(etcd, "second", second);
                    EtcdRegistration thirdRegistration = register(etcd, "third", third)) {
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.get("second").get() > 20
                        && received.get("third").get() > 20);
                secondRegistration.close();
                Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> discovery.instances("orders").size() == 2);
                int settled = answered.get();
                // Calls that picked 'second' just before the client's balancer heard of the removal may still land.
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() > settled + 50);
                int secondAfterRemoval = received.get("second").get();
                int before = answered.get();
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() > before + 200);
                assertThat(received.get("second").get()).as("no call to a deregistered instance")
                        .isEqualTo(secondAfterRemoval);
            }
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get(10, TimeUnit.SECONDS);
            }
            callers.shutdown();

            int total = received.values().stream().mapToInt(AtomicInteger::get).sum();
            assertThat(total).as("every call answered, each request counted once by a backend")
                    .isEqualTo(answered.get());
        }
    }
}
