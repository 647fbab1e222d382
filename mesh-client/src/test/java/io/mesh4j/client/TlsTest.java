package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.MeshException;
import io.mesh4j.api.PeerIdentityException;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.resilience.RetryConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLHandshakeException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.TlsVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-service TLS against loopback TLS servers with certificates made in the test. */
class TlsTest {

    private static final String ORDERS_ID = "spiffe://example.org/ns/default/sa/orders";

    @TempDir
    Path files;

    private final TestCertificates.Held root = TestCertificates.authority("mesh root");
    private MockWebServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A TLS server presenting {@code certificate} (signed by the root), asking for a client certificate when told. */
    private ServiceInstance serve(TestCertificates.Held certificate, boolean requireClientCertificate)
            throws IOException {
        server = Backends.serveTls(TestCertificates.serverSockets(certificate, root, root), requireClientCertificate,
                request -> new MockResponse.Builder().code(200).body("orders").build());
        return ServiceInstance.builder("orders", "127.0.0.1", server.getPort()).build();
    }

    private Path rootsFile() {
        return root.writeCertificate(files.resolve("roots.pem"));
    }

    private TlsSettings.Builder mutual(TestCertificates.Held client) {
        return TlsSettings.builder().trustRoots(rootsFile())
                .clientCertificate(client.writeCertificate(files.resolve("client.pem")),
                        client.writeKey(files.resolve("client-key.pem")));
    }

    private static MeshClient mesh(ServiceInstance instance, TlsSettings tls) {
        return MeshClient.builder().discovery(StaticDiscovery.of(instance))
                .defaultSettings(ServiceSettings.custom().tls(tls).retry(RetryConfig.disabled()).build()).build();
    }

    private static Request orders() {
        return new Request.Builder().url("http://orders/v1/items").build();
    }

    @Test
    void shouldCallOverMutualTlsWhenInstanceProvesExpectedSpiffeId() throws Exception {
        ServiceInstance instance = serve(TestCertificates.leaf(root, ORDERS_ID), true);
        TestCertificates.Held client = TestCertificates.leaf(root, "spiffe://example.org/ns/default/sa/web");
        try (MeshClient mesh = mesh(instance, mutual(client).expectSpiffeId(ORDERS_ID).build())) {
            for (Call call : Call.values()) {
                try (Response response = call.send(mesh, orders())) {
                    assertThat(response.body().string()).isEqualTo("orders");
                    assertThat(response.handshake()).as(call.name()).isNotNull();
                }
            }
        }
        RecordedRequest received = server.takeRequest();
        assertThat(received.getHandshake()).isNotNull();
        X509Certificate presented = (X509Certificate) received.getHandshake().peerCertificates().get(0);
        assertThat(presented.getSubjectAlternativeNames()).anySatisfy(name ->
                assertThat(name.get(1)).isEqualTo("spiffe://example.org/ns/default/sa/web"));
        assertThat(server.getRequestCount()).isEqualTo(Call.values().length);
    }

    /** The ways a call reaches the mesh that apply a service's TLS. */
    private enum Call {
        NEW_CALL {
            @Override
            Response send(MeshClient mesh, Request request) throws IOException {
                return mesh.newCall(request).execute();
            }
        },
        OK_HTTP_CLIENT {
            @Override
            Response send(MeshClient mesh, Request request) throws IOException {
                return mesh.okHttpClient().newCall(request).execute();
            }
        },
        CALL_FACTORY {
            @Override
            Response send(MeshClient mesh, Request request) throws IOException {
                return mesh.callFactory(new OkHttpClient()).newCall(request).execute();
            }
        },
        ASYNC {
            @Override
            Response send(MeshClient mesh, Request request) throws IOException {
                CompletableFuture<Response> answer = new CompletableFuture<>();
                mesh.newCall(request).enqueue(new Callback() {
                    @Override
                    public void onFailure(okhttp3.Call call, IOException e) {
                        answer.completeExceptionally(e);
                    }

                    @Override
                    public void onResponse(okhttp3.Call call, Response response) {
                        answer.complete(response);
                    }
                });
                return answer.join();
            }
        };

        abstract Response send(MeshClient mesh, Request request) throws IOException;
    }

    @Test
    void shouldBeRefusedWhenClientHasNoCertificateAndServerRequiresOne() throws IOException {
        ServiceInstance instance = serve(TestCertificates.leaf(root, ORDERS_ID), true);
        try (MeshClient mesh = mesh(instance, TlsSettings.builder().trustRoots(rootsFile())
                .expectSpiffeId(ORDERS_ID).build())) {
            assertThatThrownBy(() -> mesh.newCall(orders()).execute()).isInstanceOf(IOException.class);
        }
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void shouldRefuseInstanceNamingBothIdentitiesWhenSpiffeIdDiffers() throws IOException {
        ServiceInstance instance = serve(TestCertificates.leaf(root, "spiffe://example.org/ns/default/sa/billing"),
                true);
        TestCertificates.Held client = TestCertificates.leaf(root, "spiffe://example.org/ns/default/sa/web");
        try (MeshClient mesh = mesh(instance, mutual(client).expectSpiffeId(ORDERS_ID).build())) {
            assertThatThrownBy(() -> mesh.newCall(orders()).execute())
                    .isInstanceOfSatisfying(PeerIdentityException.class, e -> {
                        assertThat(e.expected()).isEqualTo(ORDERS_ID);
                        assertThat(e.presented()).containsExactly("URI:spiffe://example.org/ns/default/sa/billing");
                        assertThat(e.service()).isEqualTo("orders");
                    })
                    .hasMessageContaining("presented [URI:spiffe://example.org/ns/default/sa/billing], expected "
                            + ORDERS_ID);
        }
        assertThat(server.getRequestCount()).as("no request byte to the wrong instance").isZero();
    }

    @Test
    void shouldCheckDnsNamesWhenServiceExpectsThem() throws IOException {
        ServiceInstance instance = serve(TestCertificates.leaf(root, "*.orders.internal", "billing.internal"), false);
        try (MeshClient right = mesh(instance, TlsSettings.builder().trustRoots(rootsFile())
                .expectDnsNames("eu.orders.internal").build())) {
            try (Response response = right.newCall(orders()).execute()) {
                assertThat(response.code()).isEqualTo(200);
            }
        }
        try (MeshClient wrong = mesh(instance, TlsSettings.builder().trustRoots(rootsFile())
                .expectDnsNames("orders.internal", "a.b.orders.internal").build())) {
            assertThatThrownBy(() -> wrong.newCall(orders()).execute())
                    .isInstanceOfSatisfying(PeerIdentityException.class, e -> assertThat(e.presented())
                            .containsExactly("DNS:*.orders.internal", "DNS:billing.internal"))
                    .hasMessageContaining("expected orders.internal or a.b.orders.internal");
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void shouldRefuseExpiredCertificateWhenInstancePresentsOne() throws IOException {
        TestCertificates.Held expired = TestCertificates.leaf(root, Instant.now().minus(Duration.ofDays(2)),
                Instant.now().minus(Duration.ofDays(1)), ORDERS_ID);
        ServiceInstance instance = serve(expired, false);
        try (MeshClient mesh = mesh(instance, TlsSettings.builder().trustRoots(rootsFile())
                .expectSpiffeId(ORDERS_ID).build())) {
            assertThatThrownBy(() -> mesh.newCall(orders()).execute()).isInstanceOf(SSLHandshakeException.class);
        }
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void shouldFailThroughForeignInterceptorButRunThroughMeshClient() throws IOException {
        ServiceInstance instance = serve(TestCertificates.leaf(root, ORDERS_ID), false);
        try (MeshClient mesh = mesh(instance, TlsSettings.builder().trustRoots(rootsFile())
                .expectSpiffeId(ORDERS_ID).build())) {
            OkHttpClient own = new OkHttpClient.Builder().addInterceptor(mesh.interceptor()).build();
            assertThatThrownBy(() -> own.newCall(orders()).execute()).isInstanceOf(MeshException.class)
                    .hasMessageContaining("TLS settings of its own");
            try (Response response = mesh.okHttpClient().newCall(orders()).execute()) {
                assertThat(response.code()).isEqualTo(200);
            }
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void shouldNameFileAndReasonWithoutKeyContentWhenMaterialIsInvalid() throws IOException {
        Path roots = rootsFile();
        TestCertificates.Held client = TestCertificates.leaf(root, "spiffe://example.org/ns/default/sa/web");
        Path chain = client.writeCertificate(files.resolve("client.pem"));
        Path otherKey = TestCertificates.leaf(root, "x").writeKey(files.resolve("other-key.pem"));
        Path garbage = Files.writeString(files.resolve("garbage.pem"), "not a certificate");
        String keyText = Files.readString(otherKey);

        assertThatThrownBy(() -> TlsSettings.builder().trustRoots(files.resolve("missing.pem")).build())
                .hasMessage("trustRoots: " + files.resolve("missing.pem") + " does not exist");
        assertThatThrownBy(() -> TlsSettings.builder().trustRoots(garbage).build())
                .hasMessageStartingWith("trustRoots: " + garbage);
        assertThatThrownBy(() -> TlsSettings.builder().trustRoots(roots).clientCertificate(chain, otherKey).build())
                .hasMessage("privateKey: " + otherKey + " is not the key of the leaf certificate of " + chain)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(keyText.split("\n")[1].substring(0, 16))
                        .doesNotContain("PRIVATE KEY"));
        assertThatThrownBy(() -> TlsSettings.builder().trustRoots(roots).clientCertificate(chain, garbage).build())
                .hasMessageStartingWith("privateKey: " + garbage + " holds no PKCS #8 key");
        assertThatThrownBy(() -> TlsSettings.builder().expectSpiffeId("https://example.org/x"))
                .hasMessageContaining("expected: spiffe://<trust domain>/<path>");
        assertThatThrownBy(() -> TlsSettings.builder().trustRoots(roots).expectDnsNames("a.b")
                .expectSpiffeId(ORDERS_ID).build()).hasMessageContaining("both set");
    }

    @Test
    void shouldRecordPeerIdentityOnSpanAndCountFailuresByReason() throws Exception {
        InMemorySpanExporter spans =
                InMemorySpanExporter.create();
        SimpleMeterRegistry meters =
                new SimpleMeterRegistry();
        ServiceInstance instance = serve(TestCertificates.leaf(root, ORDERS_ID), false);
        try (OpenTelemetrySdk tracing = InMemoryTracing.exportingTo(spans);
                MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(instance)).meterRegistry(meters)
                        .openTelemetry(tracing).defaultSettings(ServiceSettings.custom().retry(RetryConfig.disabled())
                                .tls(TlsSettings.builder().trustRoots(rootsFile()).expectSpiffeId(ORDERS_ID).build())
                                .build()).build();
                MeshClient wrong = MeshClient.builder().discovery(StaticDiscovery.of(instance)).meterRegistry(meters)
                        .defaultSettings(ServiceSettings.custom().retry(RetryConfig.disabled())
                                .tls(TlsSettings.builder().trustRoots(rootsFile())
                                        .expectSpiffeId("spiffe://example.org/ns/default/sa/billing").build())
                                .build()).build()) {
            try (Response response = mesh.newCall(orders()).execute()) {
                assertThat(response.code()).isEqualTo(200);
            }
            SpanData attempt = spans.getFinishedSpanItems().stream()
                    .filter(span -> span.getKind() == SpanKind.CLIENT).findFirst()
                    .orElseThrow();
            assertThat(attempt.getAttributes().get(
                    AttributeKey.stringKey("mesh.tls.peer_identity"))).isEqualTo(ORDERS_ID);
            assertThat(attempt.getAttributes().get(
                    AttributeKey.stringKey("tls.protocol.version"))).isIn("1.2", "1.3");

            assertThatThrownBy(() -> wrong.newCall(orders()).execute()).isInstanceOf(PeerIdentityException.class);
            assertThat(meters.get("mesh.tls.failures").tags("reason", "identity").counter().count()).isEqualTo(1);
        }
        TestCertificates.Held expired = TestCertificates.leaf(root, Instant.now().minus(Duration.ofDays(2)),
                Instant.now().minus(Duration.ofDays(1)), ORDERS_ID);
        server.close();
        ServiceInstance old = serve(expired, false);
        try (MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(old)).meterRegistry(meters)
                .defaultSettings(ServiceSettings.custom().retry(RetryConfig.disabled())
                        .tls(TlsSettings.builder().trustRoots(rootsFile()).expectSpiffeId(ORDERS_ID).build())
                        .build()).build()) {
            assertThatThrownBy(() -> mesh.newCall(orders()).execute()).isInstanceOf(SSLHandshakeException.class);
            assertThat(meters.get("mesh.tls.failures").tags("reason", "expired").counter().count()).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseServerBelowMinimumVersionWhenTls13IsRequired() throws IOException {
        server = Backends.serveTls(new ProtocolLimitedSockets(
                TestCertificates.serverSockets(TestCertificates.leaf(root, ORDERS_ID), root, root), "TLSv1.2"), false,
                request -> new MockResponse.Builder().code(200).body("orders").build());
        ServiceInstance instance = ServiceInstance.builder("orders", "127.0.0.1", server.getPort()).build();
        TlsSettings.Builder tls = TlsSettings.builder().trustRoots(rootsFile()).expectSpiffeId(ORDERS_ID);
        try (MeshClient modern = mesh(instance, tls.build())) {
            try (Response response = modern.newCall(orders()).execute()) {
                assertThat(response.handshake().tlsVersion()).isEqualTo(TlsVersion.TLS_1_2);
            }
        }
        try (MeshClient strict = mesh(instance, tls.minTlsVersion(TlsVersion.TLS_1_3).build())) {
            assertThatThrownBy(() -> strict.newCall(orders()).execute()).isInstanceOf(SSLHandshakeException.class);
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
    }
}
