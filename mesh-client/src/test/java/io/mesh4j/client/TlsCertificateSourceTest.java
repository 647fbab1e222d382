package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.PeerIdentityException;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Subscription;
import io.mesh4j.api.tls.CertificateBundle;
import io.mesh4j.api.tls.CertificateSource;
import io.mesh4j.resilience.RetryConfig;
import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.net.ssl.SSLHandshakeException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A service's TLS from a certificate source: roots, client certificate and expected identity, rotated live. */
class TlsCertificateSourceTest {

    private static final String TEMPLATE = "spiffe://11111111.consul/ns/default/dc/dc1/svc/{service}";
    private static final String ORDERS_ID = "spiffe://11111111.consul/ns/default/dc/dc1/svc/orders";

    private final TestCertificates.Held root = TestCertificates.authority("connect root");
    private final Queue<String> clientIds = new ConcurrentLinkedQueue<>();
    private MockWebServer server;

    /** A source the test feeds by hand; it delivers the latest bundle to each new subscriber. */
    private static final class HandSource implements CertificateSource {
        private final List<Consumer<CertificateBundle>> subscribers = new CopyOnWriteArrayList<>();
        private volatile CertificateBundle latest;

        @Override
        public String name() {
            return "hand";
        }

        @Override
        public Subscription subscribe(Consumer<CertificateBundle> bundles) {
            subscribers.add(bundles);
            if (latest != null) {
                bundles.accept(latest);
            }
            return () -> subscribers.remove(bundles);
        }

        void publish(CertificateBundle bundle) {
            latest = bundle;
            subscribers.forEach(subscriber -> subscriber.accept(bundle));
        }

        @Override
        public void close() {
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private ServiceInstance serve(String serverId) throws IOException {
        server = Backends.serveTls(TestCertificates.serverSockets(TestCertificates.leaf(root, serverId), root, root),
                true, request -> {
                    clientIds.add(Backends.clientSubject(request));
                    return new MockResponse.Builder().code(200).body("orders").build();
                });
        return ServiceInstance.builder("orders", "127.0.0.1", server.getPort()).build();
    }

    private CertificateBundle bundle(String clientId) {
        TestCertificates.Held client = TestCertificates.leaf(root, clientId);
        return new CertificateBundle(List.of(root.certificatePem()), client.certificatePem(), client.sec1KeyPem(),
                TEMPLATE);
    }

    private static MeshClient mesh(ServiceInstance instance, CertificateSource source) {
        return MeshClient.builder().discovery(StaticDiscovery.of(instance))
                .defaultSettings(ServiceSettings.custom().retry(RetryConfig.disabled())
                        .tls(TlsSettings.builder().certificates(source).build()).build()).build();
    }

    private static String call(MeshClient mesh) throws IOException {
        try (Response response = mesh.newCall(new Request.Builder().url("http://orders/x").build()).execute()) {
            return response.body().string();
        }
    }

    private String lastClient() {
        String last = null;
        for (String id : clientIds) {
            last = id;
        }
        return last;
    }

    @Test
    void shouldCallWithSourcesCertificateAndCheckItsIdentityThenTakeUpRotatedOne() throws IOException {
        ServiceInstance instance = serve(ORDERS_ID);
        HandSource source = new HandSource();
        source.publish(bundle("spiffe://11111111.consul/ns/default/dc/dc1/svc/web"));
        try (MeshClient mesh = mesh(instance, source)) {
            assertThat(call(mesh)).isEqualTo("orders");
            assertThat(lastClient()).contains("svc/web");

            source.publish(bundle("spiffe://11111111.consul/ns/default/dc/dc1/svc/web-rotated"));
            assertThat(call(mesh)).isEqualTo("orders");
            assertThat(lastClient()).as("a new connection with the rotated certificate").contains("web-rotated");
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void shouldRefuseInstanceWhenItPresentsAnotherServicesIdentity() throws IOException {
        ServiceInstance instance = serve("spiffe://11111111.consul/ns/default/dc/dc1/svc/billing");
        HandSource source = new HandSource();
        source.publish(bundle("spiffe://11111111.consul/ns/default/dc/dc1/svc/web"));
        try (MeshClient mesh = mesh(instance, source)) {
            assertThatThrownBy(() -> call(mesh)).isInstanceOfSatisfying(PeerIdentityException.class, e -> {
                assertThat(e.expected()).isEqualTo(ORDERS_ID);
                assertThat(e.presented()).containsExactly(
                        "URI:spiffe://11111111.consul/ns/default/dc/dc1/svc/billing");
            });
        }
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void shouldFailHandshakeSayingSoWhenSourceHasGivenNothingYet() throws IOException {
        ServiceInstance instance = serve(ORDERS_ID);
        HandSource source = new HandSource();
        try (MeshClient mesh = mesh(instance, source)) {
            assertThatThrownBy(() -> call(mesh)).isInstanceOf(SSLHandshakeException.class)
                    .hasStackTraceContaining("no TLS material from hand yet");

            source.publish(bundle("spiffe://11111111.consul/ns/default/dc/dc1/svc/web"));
            assertThat(call(mesh)).isEqualTo("orders");
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
    }
}
