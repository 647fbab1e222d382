package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
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
