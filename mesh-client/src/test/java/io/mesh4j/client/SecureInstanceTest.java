package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.ServiceInstance;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;

class SecureInstanceTest {

    private static final HeldCertificate CERTIFICATE = new HeldCertificate.Builder()
            .addSubjectAlternativeName("localhost").build();
    private static final HandshakeCertificates SERVER = new HandshakeCertificates.Builder()
            .heldCertificate(CERTIFICATE).build();
    private static final HandshakeCertificates CLIENT = new HandshakeCertificates.Builder()
            .addTrustedCertificate(CERTIFICATE.certificate()).build();

    private static OkHttpClient trustingClient() {
        return new OkHttpClient.Builder().sslSocketFactory(CLIENT.sslSocketFactory(), CLIENT.trustManager()).build();
    }

    @Test
    void shouldUseTlsWhenCallerAsksForHttpsAndInstanceIsNotMarkedSecure() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.useHttps(SERVER.sslSocketFactory());
            server.enqueue(new MockResponse.Builder().body("secret").build());
            server.start();
            ServiceInstance plain = ServiceInstance.builder("vault", "localhost", server.getPort()).build();

            try (MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(plain))
                    .okHttpClient(trustingClient()).build();
                    Response response = mesh.okHttpClient()
                            .newCall(new Request.Builder().url("https://vault/token").build()).execute()) {
                assertThat(response.body().string()).isEqualTo("secret");
                assertThat(response.handshake()).isNotNull();
            }
            assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHandshake()).isNotNull();
        }
    }

    @Test
    void shouldStartTlsHandshakeNeverPlainHttpWhenCallerAsksForHttps() throws Exception {
        List<Integer> firstBytes = new CopyOnWriteArrayList<>();
        try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!plain.isClosed()) {
                    try (Socket socket = plain.accept()) {
                        firstBytes.add(socket.getInputStream().read());
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.start();
            ServiceInstance notSecure = ServiceInstance.builder("vault", "127.0.0.1", plain.getLocalPort()).build();

            try (MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(notSecure))
                    .okHttpClient(trustingClient()).build()) {
                assertThatThrownBy(() -> mesh.okHttpClient()
                        .newCall(new Request.Builder().url("https://vault/token").build()).execute())
                        .isInstanceOf(IOException.class);
            }
        }
        assertThat(firstBytes).as("each connection opened with a TLS handshake record, never 'G' of a plain GET")
                .isNotEmpty().containsOnly(0x16);
    }

    @Test
    void shouldUseHttpsWhenInstanceIsSecure() throws Exception {
        HeldCertificate certificate = new HeldCertificate.Builder().addSubjectAlternativeName("localhost").build();
        HandshakeCertificates serverCertificates = new HandshakeCertificates.Builder()
                .heldCertificate(certificate).build();
        HandshakeCertificates clientCertificates = new HandshakeCertificates.Builder()
                .addTrustedCertificate(certificate.certificate()).build();
        try (MockWebServer server = new MockWebServer()) {
            server.useHttps(serverCertificates.sslSocketFactory());
            server.enqueue(new MockResponse.Builder().body("secret").build());
            server.start();
            OkHttpClient base = new OkHttpClient.Builder()
                    .sslSocketFactory(clientCertificates.sslSocketFactory(), clientCertificates.trustManager())
                    .build();
            ServiceInstance secure = ServiceInstance.builder("vault", "localhost", server.getPort()).secure(true)
                    .build();

            try (MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(secure)).okHttpClient(base)
                    .build();
                    Response response = mesh.okHttpClient()
                            .newCall(new Request.Builder().url("http://vault/token").build()).execute()) {
                assertThat(response.body().string()).isEqualTo("secret");
                assertThat(response.request().url().scheme()).isEqualTo("https");
                assertThat(response.handshake()).isNotNull();
            }
            assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHandshake()).isNotNull();
        }
    }
}
