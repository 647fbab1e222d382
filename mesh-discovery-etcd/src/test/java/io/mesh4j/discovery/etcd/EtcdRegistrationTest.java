package io.mesh4j.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.discovery.etcd.internal.EtcdClients;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link EtcdRegistration} against a real etcd on loopback, seen through an {@link EtcdDiscovery}. */
class EtcdRegistrationTest {

    private static final ServiceInstance ME = ServiceInstance.builder("orders", "10.0.0.7", 8080).id("orders-7")
            .zone("eu-1a").secure(true).build();

    private EtcdServer etcd;
    private Client reader;
    private EtcdDiscovery discovery;

    @BeforeEach
    void startEtcd() throws IOException {
        etcd = EtcdServer.started();
        reader = EtcdClients.create(List.of(etcd.endpoint()), null, null);
        discovery = EtcdDiscovery.builder().connection(EtcdConnection.of(etcd.endpoint()))
                .probeInterval(Duration.ofMillis(100))
                .errorBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).build();
    }

    @AfterEach
    void stopEtcd() {
        discovery.close();
        reader.close();
        etcd.close();
    }

    private EtcdRegistration register() {
        return EtcdRegistration.builder(ME).connection(EtcdConnection.of(etcd.endpoint())).ttl(Duration.ofSeconds(2))
                .deregisterOnShutdown(false).register();
    }

    private boolean discovered() {
        return List.of(ME).equals(discovery.instances("orders"));
    }

    private KeyValue stored() throws Exception {
        List<KeyValue> kvs = reader.getKVClient().get(EtcdClients.bytes("/services/orders/orders-7"))
                .get(5, TimeUnit.SECONDS).getKvs();
        return kvs.isEmpty() ? null : kvs.get(0);
    }

    @Test
    void shouldStayRegisteredAcrossSeveralTtlsAndDisappearAtOnceWhenClosed() throws Exception {
        EtcdRegistration registration = register();

        assertThat(registration.isRegistered()).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(this::discovered);
        assertThat(stored().getLease()).as("the key lives under a lease").isNotZero();
        Awaitility.await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7))
                .until(this::discovered);

        registration.close();

        Awaitility.await().atMost(Duration.ofMillis(1_500)).alias("gone before its 2 s TTL could end")
                .until(() -> discovery.instances("orders") == null);
        assertThat(stored()).isNull();
        assertThat(registration.isRegistered()).isFalse();
    }

    @Test
    void shouldRegisterAgainWhenTheLeaseIsLost() throws Exception {
        try (EtcdRegistration registration = register()) {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(this::discovered);
            long lease = stored().getLease();

            reader.getLeaseClient().revoke(lease).get(5, TimeUnit.SECONDS);

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                KeyValue now = stored();
                return now != null && now.getLease() != lease;
            });
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(this::discovered);
            assertThat(registration.isRegistered()).isTrue();
        }
    }

    @Test
    void shouldKeepLastGoodSetWhileEtcdIsStoppedAndBeRegisteredAfterItRestarts() throws Exception {
        try (EtcdRegistration registration = register()) {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(this::discovered);

            etcd.stop();
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> discovery.staleness("orders").compareTo(Duration.ZERO) > 0);
            assertThat(discovery.instances("orders")).as("etcd stopped: the last good set").containsExactly(ME);
            etcd.start();

            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> stored() != null && discovered());
            Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .alias("kept alive after the restart, across more than a TTL").until(() -> stored() != null);
            assertThat(registration.isRegistered()).isTrue();
        }
    }

    @Test
    void shouldRevokeTheLeaseWhenTheJvmExitsWithoutClosing() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RegisterAndExit.class.getName(), etcd.endpoint())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(output).contains("registered").doesNotContain("not registered");

        List<KeyValue> left = reader.getKVClient().get(EtcdClients.bytes("/services/orders/short-lived"))
                .get(5, TimeUnit.SECONDS).getKvs();
        assertThat(left).as("revoked by the shutdown hook, not left for its 30 s TTL").isEmpty();
    }

    @Test
    void shouldRefuseTtlOutsideRangeOrNotInWholeSeconds() {
        assertThatThrownBy(() -> EtcdRegistration.builder(ME).ttl(Duration.ofMillis(1500)).register())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ttl: 1500ms");
        assertThatThrownBy(() -> EtcdRegistration.builder(ME).ttl(Duration.ofMillis(2500)).register())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole seconds");
    }
}
