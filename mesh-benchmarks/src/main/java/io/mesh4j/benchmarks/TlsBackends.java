package io.mesh4j.benchmarks;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.mesh4j.api.ServiceInstance;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * JDK HTTPS servers on loopback for TLS benchmarks, with certificates made here (a root, and a server certificate
 * for {@code orders.internal} and {@code 127.0.0.1} signed by it), each counting its TLS handshakes: the JDK server
 * asks its configurator once per new connection.
 */
final class TlsBackends implements AutoCloseable {

    private final HeldCertificate root = new HeldCertificate.Builder().certificateAuthority(0).commonName("root")
            .build();
    private final List<HttpsServer> servers = new ArrayList<>();
    private final List<AtomicInteger> handshakes = new ArrayList<>();
    private final List<ServiceInstance> instances = new ArrayList<>();

    TlsBackends(int count) {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HeldCertificate serverCertificate = new HeldCertificate.Builder().signedBy(root)
                .addSubjectAlternativeName("orders.internal").addSubjectAlternativeName("127.0.0.1").build();
        HandshakeCertificates serverTls = new HandshakeCertificates.Builder()
                .heldCertificate(serverCertificate, root.certificate()).build();
        byte[] body = "{\"id\":1}".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < count; i++) {
            AtomicInteger counted = new AtomicInteger();
            try {
                HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        0);
                server.setHttpsConfigurator(new HttpsConfigurator(serverTls.sslContext()) {
                    @Override
                    public void configure(HttpsParameters params) {
                        counted.incrementAndGet();
                        super.configure(params);
                    }
                });
                server.createContext("/", exchange -> {
                    exchange.getRequestBody().readAllBytes();
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
                server.setExecutor(Executors.newFixedThreadPool(4, runnable -> {
                    Thread thread = new Thread(runnable, "tls-backend");
                    thread.setDaemon(true);
                    return thread;
                }));
                server.start();
                servers.add(server);
                handshakes.add(counted);
                instances.add(ServiceInstance.builder("orders", "127.0.0.1", server.getAddress().getPort())
                        .id("orders-" + i).build());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    List<ServiceInstance> instances() {
        return instances;
    }

    /** The root as a PEM file, for {@code TlsSettings.trustRoots}. */
    Path rootFile() {
        try {
            Path file = Files.createTempFile("mesh4j-bench-root", ".pem");
            file.toFile().deleteOnExit();
            return Files.writeString(file, root.certificatePem());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Handshakes each server has seen so far. */
    List<Integer> handshakes() {
        List<Integer> counts = new ArrayList<>();
        handshakes.forEach(count -> counts.add(count.get()));
        return counts;
    }

    @Override
    public void close() {
        servers.forEach(server -> server.stop(0));
    }
}
