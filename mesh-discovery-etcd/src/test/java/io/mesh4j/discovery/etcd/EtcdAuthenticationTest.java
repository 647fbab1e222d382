package io.mesh4j.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.etcd.jetcd.Client;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.discovery.etcd.internal.EtcdClients;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Discovery and registration against an etcd with authentication on; the password never reaches a log line. */
class EtcdAuthenticationTest {

    private static final String PASSWORD = "s3cret-Pa55word";

    @Test
    void shouldRegisterAndDiscoverWithCredentialsAndNeverLogThePassword() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        try (EtcdServer etcd = EtcdServer.started()) {
            try (Client admin = EtcdClients.create(List.of(etcd.endpoint()), null, null)) {
                admin.getAuthClient().userAdd(EtcdClients.bytes("root"), EtcdClients.bytes(PASSWORD))
                        .get(5, TimeUnit.SECONDS);
                admin.getAuthClient().roleAdd(EtcdClients.bytes("root")).get(5, TimeUnit.SECONDS);
                admin.getAuthClient().userGrantRole(EtcdClients.bytes("root"), EtcdClients.bytes("root"))
                        .get(5, TimeUnit.SECONDS);
                admin.getAuthClient().authEnable().get(5, TimeUnit.SECONDS);
            }
            ServiceInstance me = ServiceInstance.builder("orders", "10.0.0.7", 8080).id("orders-7").build();

            try (EtcdRegistration registration = EtcdRegistration.builder(me)
                    .connection(EtcdConnection.builder().endpoints(etcd.endpoint()).credentials("root", PASSWORD)
                            .build())
                    .ttl(Duration.ofSeconds(5)).deregisterOnShutdown(false)
                    .register();
                    EtcdDiscovery withCredentials = EtcdDiscovery.builder()
                            .connection(EtcdConnection.builder().endpoints(etcd.endpoint())
                                    .credentials("root", PASSWORD).build())
                            .build();
                    EtcdDiscovery withoutCredentials = EtcdDiscovery.builder()
                            .connection(EtcdConnection.of(etcd.endpoint()))
                            .probeInterval(Duration.ofMillis(100)).firstLookupTimeout(Duration.ofMillis(500))
                            .build()) {
                assertThat(registration.isRegistered()).isTrue();
                Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> List.of(me).equals(withCredentials.instances("orders")));
                assertThat(withoutCredentials.instances("orders")).as("etcd refuses a reader without a user")
                        .isNull();
                Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> withoutCredentials.failure("orders") != null);
            }
        } finally {
            root.detachAppender(logs);
        }

        assertThat(logs.list).isNotEmpty().noneMatch(event -> event.getFormattedMessage().contains(PASSWORD)
                || (event.getThrowableProxy() != null
                        && String.valueOf(event.getThrowableProxy().getMessage()).contains(PASSWORD)));
    }
}
