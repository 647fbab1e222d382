package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code Host} header a backend receives. */
class HostHeaderTest {

    private final Backends backends = Backends.start(1);
    private MeshClient mesh;

    @AfterEach
    void tearDown() {
        if (mesh != null) {
            mesh.close();
        }
        backends.close();
    }

    private RecordedRequest send(ServiceSettings settings, Request request) throws Exception {
        mesh = MeshClient.builder().discovery(StaticDiscovery.of(backends.instances("orders")))
                .defaultSettings(settings).build();
        try (Response response = mesh.okHttpClient().newCall(request).execute()) {
            response.body().string();
        }
        return backends.get(0).takeRequest(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldSendServiceNameAsHostWhenDefault() throws Exception {
        RecordedRequest received = send(ServiceSettings.ofDefaults(),
                new Request.Builder().url("http://orders/v1/items").build());

        assertThat(received.getHeaders().values("Host")).containsExactly("orders");
    }

    @Test
    void shouldKeepNonDefaultPortInHostWhenUrlHasOne() throws Exception {
        RecordedRequest received = send(ServiceSettings.ofDefaults(),
                new Request.Builder().url("http://orders:8443/v1/items").build());

        assertThat(received.getHeaders().values("Host")).containsExactly("orders:8443");
    }

    @Test
    void shouldSendInstanceAddressAsHostWhenServiceAsksForIt() throws Exception {
        MockWebServer server = backends.get(0);

        RecordedRequest received = send(ServiceSettings.custom().hostHeader(HostHeader.INSTANCE).build(),
                new Request.Builder().url("http://orders/v1/items").build());

        assertThat(received.getHeaders().values("Host")).containsExactly(server.getHostName() + ":" + server.getPort());
    }

    @Test
    void shouldKeepCallersOwnHostHeaderWhenRequestSetsOne() throws Exception {
        RecordedRequest received = send(ServiceSettings.ofDefaults(),
                new Request.Builder().url("http://orders/v1/items").header("Host", "orders.internal").build());

        assertThat(received.getHeaders().values("Host")).containsExactly("orders.internal");
    }
}
