package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mesh4j.api.DiscoveryUnavailableException;
import io.mesh4j.discovery.consul.ConsulDiscovery;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A Consul agent that does not answer: calls to services say so, calls to other hosts still go through. */
class DiscoveryUnavailableTest {

    /** Resolves only loopback names, so that {@code orders} fails to resolve here as it would anywhere. */
    private static final Dns LOOPBACK_ONLY = hostname -> {
        if (hostname.equals("localhost") || hostname.startsWith("127.")) {
            return List.of(InetAddress.getByName(hostname));
        }
        throw new UnknownHostException(hostname);
    };

    private final MockWebServer outside = Backends.serve(request -> new MockResponse.Builder().body("outside")
            .build());
    private ConsulDiscovery discovery;
    private MeshClient mesh;

    @AfterEach
    void tearDown() {
        if (mesh != null) {
            mesh.close();
        }
        if (discovery != null) {
            discovery.close();
        }
        outside.close();
    }

    private OkHttpClient meshOverUnreachableConsul(UnknownHostPolicy policy) throws IOException {
        discovery = ConsulDiscovery.builder().agentUrl("http://127.0.0.1:" + Backends.closedPort())
                .firstLookupTimeout(Duration.ofSeconds(5)).build();
        mesh = MeshClient.builder().discovery(discovery).unknownHostPolicy(policy)
                .okHttpClient(new OkHttpClient.Builder().dns(LOOPBACK_ONLY).build()).build();
        return mesh.okHttpClient();
    }

    @ParameterizedTest
    @EnumSource(UnknownHostPolicy.class)
    void shouldSayDiscoveryIsUnavailableWhenConsulRefusesConnections(UnknownHostPolicy policy) throws IOException {
        OkHttpClient client = meshOverUnreachableConsul(policy);

        Throwable failure = catchThrowable(() -> client.newCall(new Request.Builder().url("http://orders/x").build())
                .execute());

        assertThat(failure).isInstanceOf(DiscoveryUnavailableException.class)
                .hasMessageStartingWith("Discovery could not tell whether 'orders' is a mesh service, as its registry"
                        + " did not answer: Consul agent at http://127.0.0.1:")
                .hasMessageContaining("(ConnectException");
        assertThat(failure.getCause()).hasCauseInstanceOf(ConnectException.class);
    }

    @Test
    void shouldPassHostsOutsideMeshThroughWhenConsulIsUnreachable() throws IOException {
        OkHttpClient client = meshOverUnreachableConsul(UnknownHostPolicy.PASS_THROUGH);

        try (Response response = client.newCall(new Request.Builder().url(outside.url("/plain")).build())
                .execute()) {
            assertThat(response.body().string()).isEqualTo("outside");
        }
    }
}
