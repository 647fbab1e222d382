package io.mesh4j.client;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import io.mesh4j.discovery.consul.ConsulPolicySource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A mesh client whose routing policy lives under a Consul KV key, served by WireMock as HashiCorp documents it. */
class ConsulPolicyEndToEndTest {

    private static final String KEY = "/v1/kv/mesh/policy";

    private final WireMockServer consul = new WireMockServer(wireMockConfig().dynamicPort());
    private VersionedBackends backends;

    @BeforeEach
    void setUp() {
        consul.start();
        backends = new VersionedBackends().add("v1-a", "v1").add("v2-a", "v2");
    }

    @AfterEach
    void tearDown() {
        backends.close();
        consul.stop();
    }

    /** HashiCorp's documented "Read Key" answer, holding {@code document} under {@code mesh/policy}. */
    private static String entry(String document) {
        return "[\n  {\n    \"CreateIndex\": 100,\n    \"ModifyIndex\": 200,\n    \"LockIndex\": 200,\n"
                + "    \"Key\": \"mesh/policy\",\n    \"Flags\": 0,\n    \"Value\": \""
                + Base64.getEncoder().encodeToString(document.getBytes(StandardCharsets.UTF_8)) + "\",\n"
                + "    \"Session\": \"adf4238a-882b-9ddc-4a9d-5b6758e4159e\"\n  }\n]";
    }

    private static String allTo(String version) {
        return "{\"services\": {\"orders\": {\"subsets\": {\"v1\": {\"metadata\": {\"version\": \"v1\"}},"
                + " \"v2\": {\"metadata\": {\"version\": \"v2\"}}},"
                + " \"routes\": [{\"name\": \"all\", \"to\": \"" + version + "\"}]}}}";
    }

    private static MappingBuilder read(String index) {
        return get(urlPathEqualTo(KEY)).withQueryParam("index", index == null ? absent() : equalTo(index));
    }

    private static String call(MeshClient mesh) throws IOException {
        try (Response response = mesh.newCall(new Request.Builder().url("http://orders/x").build()).execute()) {
            return response.body().string();
        }
    }

    @Test
    void shouldFollowKeyInOneRoundTripAndKeepPolicyWhenDocumentIsInvalid() throws IOException {
        consul.stubFor(read(null).willReturn(aResponse().withHeader("X-Consul-Index", "10")
                .withBody(entry(allTo("v1")))));
        consul.stubFor(read("10").willReturn(aResponse().withFixedDelay(200).withHeader("X-Consul-Index", "11")
                .withBody(entry(allTo("v2")))));
        consul.stubFor(read("11").willReturn(aResponse().withFixedDelay(200).withHeader("X-Consul-Index", "12")
                .withBody(entry(allTo("v1").replace("\"to\"", "\"goes\"")))));
        consul.stubFor(read("12").willReturn(aResponse().withFixedDelay(10_000).withHeader("X-Consul-Index", "12")
                .withBody(entry(allTo("v1").replace("\"to\"", "\"goes\"")))));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (ConsulPolicySource source = ConsulPolicySource.builder("mesh/policy").agentUrl(consul.baseUrl())
                .wait(Duration.ofSeconds(1)).build();
                MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(backends.instances()))
                        .meterRegistry(meters).policySource(source).build()) {
            assertThat(call(mesh)).as("the stored policy from the first call on").isEqualTo("v1-a");

            await().atMost(Duration.ofSeconds(5)).until(() -> call(mesh).equals("v2-a"));
            consul.verify(1, getRequestedFor(urlPathEqualTo(KEY)).withQueryParam("index", equalTo("10")));

            await().atMost(Duration.ofSeconds(5)).until(() -> meters.find("mesh.policy.updates")
                    .tags("source", "consul", "result", "rejected").counter() != null);
            for (int i = 0; i < 10; i++) {
                assertThat(call(mesh)).isEqualTo("v2-a");
            }
            assertThat(meters.get("mesh.policy.updates").tags("source", "consul", "result", "applied").counter()
                    .count()).isEqualTo(2);
            assertThat(mesh.policy().service("orders").routes().get(0).subsets()).containsExactly("v2");
        }
    }
}
