package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mesh4j.api.ServiceInstance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates rotated on disk while the client runs, the way a Kubernetes secret volume rotates them: the files are
 * reached through a {@code current} link that is swapped at once to a new directory.
 */
class TlsRotationTest {

    private static final String ORDERS_ID = "spiffe://example.org/ns/default/sa/orders";

    @TempDir
    Path files;

    private final TestCertificates.Held root = TestCertificates.authority("mesh root");
    private final Queue<String> clientNames = new ConcurrentLinkedQueue<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private MockWebServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private ServiceInstance serve() throws IOException {
        server = Backends.serveTls(TestCertificates.serverSockets(TestCertificates.leaf(root, ORDERS_ID), root, root),
                true, request -> {
                    clientNames.add(Backends.clientSubject(request));
                    return new MockResponse.Builder().code(200).body("orders").build();
                });
        return ServiceInstance.builder("orders", "127.0.0.1", server.getPort()).build();
    }

    /** Writes generation {@code name} of the client's files, with a certificate for {@code subject}. */
    private Path generation(String name, String subject) throws IOException {
        Path directory = Files.createDirectory(files.resolve(name));
        TestCertificates.Held client = TestCertificates.leaf(root, subject);
        client.writeCertificate(directory.resolve("cert.pem"));
        client.writeKey(directory.resolve("key.pem"));
        root.writeCertificate(directory.resolve("ca.pem"));
        return directory;
    }

    /** Points {@code current} at {@code directory} in one rename. */
    private void activate(Path directory) throws IOException {
        Path next = files.resolve("next");
        Files.deleteIfExists(next);
        Files.createSymbolicLink(next, directory);
        Files.move(next, files.resolve("current"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private String call(MeshClient mesh) throws IOException {
        try (Response response = mesh.newCall(new Request.Builder().url("http://orders/x").build()).execute()) {
            assertThat(response.body().string()).isEqualTo("orders");
        }
        String last = null;
        for (String name : clientNames) {
            last = name;
        }
        return last;
    }

    private double reloads(String result) {
        return meters.find("mesh.tls.reloads").tags("service", "orders", "result", result).counters().stream()
                .mapToDouble(counter -> counter.count()).sum();
    }

    @Test
    void shouldPresentRotatedCertificateOnNewConnectionsAndKeepItWhenNextFilesDoNotParse() throws IOException {
        ServiceInstance instance = serve();
        activate(generation("gen1", "first.client"));
        Path current = files.resolve("current");
        TlsSettings tls = TlsSettings.builder().trustRoots(current.resolve("ca.pem"))
                .clientCertificate(current.resolve("cert.pem"), current.resolve("key.pem"))
                .expectSpiffeId(ORDERS_ID).checkInterval(Duration.ofMillis(20)).build();
        try (MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(instance)).meterRegistry(meters)
                .defaultSettings(ServiceSettings.custom().tls(tls).build()).build()) {
            assertThat(call(mesh)).isEqualTo("CN=first.client");

            activate(generation("gen2", "second.client"));
            await().atMost(Duration.ofSeconds(5)).until(() -> "CN=second.client".equals(call(mesh)));
            assertThat(reloads("applied")).isEqualTo(1);

            Path broken = generation("gen3", "third.client");
            Files.writeString(broken.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nbroken\n");
            activate(broken);
            await().atMost(Duration.ofSeconds(5)).until(() -> reloads("rejected") == 1);
            for (int i = 0; i < 5; i++) {
                assertThat(call(mesh)).isEqualTo("CN=second.client");
            }
            assertThat(reloads("applied")).isEqualTo(1);
        }
    }
}
