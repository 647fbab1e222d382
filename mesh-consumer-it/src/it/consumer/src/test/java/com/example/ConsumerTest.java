package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.discovery.consul.ConsulDiscovery;
import io.mesh4j.discovery.etcd.EtcdDiscovery;
import io.mesh4j.lb.LoadBalancers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import okhttp3.Request;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The artifacts as a user's build resolves them: a mesh call over loopback backends, and Consul discovery. */
class ConsumerTest {

    /** A loopback server answering every request on {@code path} with {@code body} and {@code headers}. */
    private static HttpServer serve(String path, byte[] body, String... headers) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(path, exchange -> {
            exchange.getRequestBody().readAllBytes();
            for (int i = 0; i < headers.length; i += 2) {
                exchange.getResponseHeaders().set(headers[i], headers[i + 1]);
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    @Test
    void shouldBalanceCallsOverLoopbackBackendsWhenBuiltAsReadmeSays() throws IOException {
        List<HttpServer> backends = new ArrayList<>();
        List<ServiceInstance> instances = new ArrayList<>();
        for (String name : List.of("orders-1", "orders-2")) {
            HttpServer server = serve("/", name.getBytes(StandardCharsets.UTF_8));
            backends.add(server);
            instances.add(ServiceInstance.builder("orders", "127.0.0.1", server.getAddress().getPort()).id(name)
                    .build());
        }
        Set<String> answeredBy = new TreeSet<>();
        try (MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(instances))
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build()).build()) {
            for (int i = 0; i < 4; i++) {
                Request request = new Request.Builder().url("http://orders/v1/items?q=1").build();
                try (Response response = mesh.newCall(request).execute()) {
                    answeredBy.add(response.body().string());
                }
            }
        } finally {
            backends.forEach(server -> server.stop(0));
        }

        assertEquals(Set.of("orders-1", "orders-2"), answeredBy);
    }

    @Test
    void shouldReadConsulsDocumentedAnswerWhenConsulDiscoveryIsBuilt() throws IOException {
        byte[] documented;
        try (InputStream in = ConsumerTest.class.getResourceAsStream("/health-service-redis.json")) {
            documented = in.readAllBytes();
        }
        HttpServer consul = serve("/v1/health/service/redis", documented, "X-Consul-Index", "100",
                "Content-Type", "application/json");
        try (ConsulDiscovery discovery = ConsulDiscovery.builder()
                .agentUrl("http://127.0.0.1:" + consul.getAddress().getPort()).build()) {
            List<ServiceInstance> instances = discovery.instances("redis");

            assertEquals(1, instances.size());
            assertEquals("10.1.10.12", instances.get(0).host());
            assertEquals(8000, instances.get(0).port());
        } finally {
            consul.stop(0);
        }
    }

    /**
     * The etcd client's gRPC, Netty and Vert.x load and connect as this build resolves them (not as the project's
     * parent pins them): against a port where nothing listens, discovery knows no service and says etcd did not
     * answer.
     */
    @Test
    void shouldSayEtcdDidNotAnswerWhenEtcdDiscoveryIsBuiltAndNothingListens() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (EtcdDiscovery discovery = EtcdDiscovery.builder()
                .connection(io.mesh4j.discovery.etcd.EtcdConnection.of("http://127.0.0.1:" + closed))
                .firstLookupTimeout(Duration.ofMillis(500)).build()) {
            assertEquals(null, discovery.instances("orders"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> discovery.failure("orders") != null);
            String failure = String.valueOf(discovery.failure("orders"));
            assertEquals(true, failure.contains("did not answer"), failure);
        }
    }

    /**
     * The routing model and the Consul KV source as this build resolves them: a policy document stored under a key
     * of a loopback stand-in that answers as HashiCorp documents "Read Key" sends every call to the v2 instance.
     */
    @Test
    void shouldRouteToSubsetWhenPolicyComesFromConsulKv() throws IOException {
        List<HttpServer> backends = new ArrayList<>();
        List<ServiceInstance> instances = new ArrayList<>();
        for (String version : List.of("v1", "v2")) {
            HttpServer server = serve("/", version.getBytes(StandardCharsets.UTF_8));
            backends.add(server);
            instances.add(ServiceInstance.builder("orders", "127.0.0.1", server.getAddress().getPort())
                    .id("orders-" + version).metadata("version", version).build());
        }
        String policy = "{\"services\": {\"orders\": {\"subsets\": {\"v2\": {\"metadata\": {\"version\": \"v2\"}}},"
                + " \"routes\": [{\"name\": \"all\", \"to\": \"v2\"}]}}}";
        String entry = "[{\"CreateIndex\": 100, \"ModifyIndex\": 200, \"LockIndex\": 0, \"Key\": \"mesh/policy\","
                + " \"Flags\": 0, \"Value\": \"" + java.util.Base64.getEncoder().encodeToString(
                        policy.getBytes(StandardCharsets.UTF_8)) + "\", \"Session\": null}]";
        HttpServer consul = serve("/v1/kv/mesh/policy", entry.getBytes(StandardCharsets.UTF_8), "X-Consul-Index",
                "200", "Content-Type", "application/json");
        Set<String> answeredBy = new TreeSet<>();
        try (io.mesh4j.discovery.consul.ConsulPolicySource source = io.mesh4j.discovery.consul.ConsulPolicySource
                .builder("mesh/policy").agentUrl("http://127.0.0.1:" + consul.getAddress().getPort()).build();
                MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(instances))
                        .policySource(source).build()) {
            for (int i = 0; i < 6; i++) {
                Request request = new Request.Builder().url("http://orders/v1/items").build();
                try (Response response = mesh.newCall(request).execute()) {
                    answeredBy.add(response.body().string());
                }
            }
        } finally {
            backends.forEach(server -> server.stop(0));
            consul.stop(0);
        }

        assertEquals(Set.of("v2"), answeredBy);
    }
}
