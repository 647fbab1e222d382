package io.mesh4j.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.ServiceInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import okhttp3.tls.HeldCertificate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration and discovery against an etcd that speaks TLS and asks every client for its certificate. */
class EtcdTlsTest {

    @TempDir
    Path files;

    private Path write(String name, String pem) throws Exception {
        return Files.writeString(files.resolve(name), pem);
    }

    @Test
    void shouldRegisterAndDiscoverWithClientCertificateAndBeRefusedWithout() throws Exception {
        HeldCertificate authority = new HeldCertificate.Builder().certificateAuthority(0).build();
        HeldCertificate server = new HeldCertificate.Builder().signedBy(authority)
                .addSubjectAlternativeName("127.0.0.1").addSubjectAlternativeName("localhost").build();
        HeldCertificate client = new HeldCertificate.Builder().signedBy(authority).commonName("mesh4j").build();
        Path ca = write("ca.pem", authority.certificatePem());
        Path serverCertificate = write("server.pem", server.certificatePem());
        Path serverKey = write("server-key.pem", server.privateKeyPkcs8Pem());
        Path clientCertificate = write("client.pem", client.certificatePem());
        Path clientKey = write("client-key.pem", client.privateKeyPkcs8Pem());
        ServiceInstance me = ServiceInstance.builder("orders", "10.0.0.7", 8080).id("orders-7").build();

        try (EtcdServer etcd = EtcdServer.startedWithClientCertificates(serverCertificate, serverKey, ca)) {
            EtcdConnection withCertificate = EtcdConnection.builder().endpoints(etcd.endpoint())
                    .tls(ca, clientCertificate, clientKey).build();
            EtcdConnection withoutCertificate = EtcdConnection.builder().endpoints(etcd.endpoint())
                    .tls(ca, null, null).build();
            registerAndDiscover(me, withCertificate, withoutCertificate);
        }
    }

    private static void registerAndDiscover(ServiceInstance me, EtcdConnection withCertificate,
            EtcdConnection withoutCertificate) {
        try (EtcdRegistration registration = EtcdRegistration.builder(me).connection(withCertificate)
                        .ttl(Duration.ofSeconds(5)).deregisterOnShutdown(false).register();
                EtcdDiscovery discovery = EtcdDiscovery.builder().connection(withCertificate).build();
                EtcdDiscovery refused = EtcdDiscovery.builder().connection(withoutCertificate)
                        .firstLookupTimeout(Duration.ofMillis(500)).probeInterval(Duration.ofMillis(100)).build()) {
            assertThat(registration.isRegistered()).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> List.of(me).equals(discovery.instances("orders")));
            assertThat(refused.instances("orders")).as("refused without a client certificate").isNull();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> refused.failure("orders") != null);
        }
    }

    @Test
    void shouldNameTheFileWithoutItsContentWhenTlsMaterialIsUnreadable() throws Exception {
        Path notPem = write("key.pem", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        Path ca = write("ca.pem", new HeldCertificate.Builder().certificateAuthority(0).build().certificatePem());

        EtcdConnection unreadable = EtcdConnection.builder().endpoints("https://127.0.0.1:2379")
                .tls(ca, ca, notPem).build();
        assertThatThrownBy(() -> EtcdDiscovery.builder().connection(unreadable).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tls: cannot use")
                .hasMessageContaining(notPem.toString()).hasMessageNotContaining("bm90IGEga2V5");
        assertThatThrownBy(() -> EtcdConnection.builder().tls(ca, ca, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: both or neither");
    }
}
