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

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.discovery.consul.ConsulConnectCertificates;
import io.mesh4j.resilience.RetryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Connect-native mesh client: certificates from a WireMock agent answering {@code /v1/agent/connect/ca/roots} and
 * {@code /v1/agent/connect/ca/leaf/web} with bodies shaped as HashiCorp documents them, mutual TLS with loopback
 * instances whose certificates carry Connect SPIFFE IDs, and a CA rotation while calls flow.
 */
class ConsulConnectTest {

    private static final String TRUST_DOMAIN = "11111111-2222-3333-4444-555555555555.consul";
    private static final String PREFIX = "spiffe://" + TRUST_DOMAIN + "/ns/default/dc/dc1/svc/";
    private static final String ROOTS = "/v1/agent/connect/ca/roots";
    private static final String LEAF = "/v1/agent/connect/ca/leaf/web";

    private final WireMockServer agent = new WireMockServer(wireMockConfig().dynamicPort());
    private final ObjectMapper json = new ObjectMapper();
    private final TestCertificates.Held firstRoot = TestCertificates.authority("Consul CA 1");
    private final TestCertificates.Held secondRoot = TestCertificates.authority("Consul CA 2");
    private final Queue<String> clients = new ConcurrentLinkedQueue<>();
    private final List<MockWebServer> servers = new java.util.ArrayList<>();

    @BeforeEach
    void start() {
        agent.start();
    }

    @AfterEach
    void stop() {
        servers.forEach(MockWebServer::close);
        agent.stop();
    }

    /** The documented "List CA Root Certificates" answer with {@code roots}, the last one active. */
    private String roots(TestCertificates.Held... roots) {
        List<Map<String, Object>> list = new java.util.ArrayList<>();
        for (int i = 0; i < roots.length; i++) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("ID", "15:bf:3a:0" + i);
            root.put("Name", "Consul CA Root Cert");
            root.put("SerialNumber", 7 + i);
            root.put("SigningKeyID", "2d:09:5d:0" + i);
            root.put("ExternalTrustDomain", TRUST_DOMAIN.replace(".consul", ""));
            root.put("NotBefore", "2026-12-01T16:33:28Z");
            root.put("NotAfter", "2036-12-01T16:33:28Z");
            root.put("RootCert", roots[i].certificatePem());
            root.put("IntermediateCerts", null);
            root.put("Active", i == roots.length - 1);
            root.put("PrivateKeyType", "ec");
            root.put("PrivateKeyBits", 256);
            root.put("CreateIndex", 8 + i);
            root.put("ModifyIndex", 8 + i);
            list.add(root);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ActiveRootID", "15:bf:3a:0" + (roots.length - 1));
        body.put("TrustDomain", TRUST_DOMAIN);
        body.put("Roots", list);
        return write(body);
    }

    /** The documented "Service Leaf Certificate" answer for {@code web}, signed by {@code root}. */
    private String leaf(TestCertificates.Held root) {
        TestCertificates.Held web = TestCertificates.leaf(root, PREFIX + "web");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("SerialNumber", "08");
        body.put("CertPEM", web.certificatePem());
        body.put("PrivateKeyPEM", web.sec1KeyPem());
        body.put("Service", "web");
        body.put("ServiceURI", PREFIX + "web");
        body.put("ValidAfter", "2026-12-01T16:36:42Z");
        body.put("ValidBefore", "2026-12-04T16:36:42Z");
        body.put("CreateIndex", 5);
        body.put("ModifyIndex", 5);
        return write(body);
    }

    private String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MappingBuilder read(String path, String index) {
        return get(urlPathEqualTo(path)).withQueryParam("index", index == null ? absent() : equalTo(index));
    }

    /** An {@code orders} instance presenting a Connect certificate signed by {@code root}, trusting both roots. */
    private ServiceInstance orders(TestCertificates.Held root) throws IOException {
        MockWebServer server = Backends.serveTls(TestCertificates.serverSockets(
                TestCertificates.leaf(root, PREFIX + "orders"), root, firstRoot, secondRoot), true, request -> {
                    clients.add(Backends.clientSubject(request));
                    return new MockResponse.Builder().code(200).body("orders").build();
                });
        servers.add(server);
        return ServiceInstance.builder("orders", "127.0.0.1", server.getPort()).id("orders-" + servers.size())
                .build();
    }

    private static String call(MeshClient mesh) throws IOException {
        try (Response response = mesh.newCall(new Request.Builder().url("http://orders/v1/items").build())
                .execute()) {
            return response.body().string();
        }
    }

    @Test
    void shouldCallOverConnectMutualTlsAndTakeUpCaRotationInOneRoundTrip() throws IOException {
        agent.stubFor(read(ROOTS, null).willReturn(aResponse().withHeader("X-Consul-Index", "10")
                .withBody(roots(firstRoot))));
        agent.stubFor(read(ROOTS, "10").willReturn(aResponse().withFixedDelay(300).withHeader("X-Consul-Index", "11")
                .withBody(roots(firstRoot, secondRoot))));
        agent.stubFor(read(ROOTS, "11").willReturn(aResponse().withFixedDelay(10_000)
                .withHeader("X-Consul-Index", "11").withBody(roots(firstRoot, secondRoot))));
        agent.stubFor(read(LEAF, null).willReturn(aResponse().withHeader("X-Consul-Index", "20")
                .withBody(leaf(firstRoot))));
        agent.stubFor(read(LEAF, "20").willReturn(aResponse().withFixedDelay(10_000)
                .withHeader("X-Consul-Index", "20").withBody(leaf(firstRoot))));
        StaticDiscovery discovery = StaticDiscovery.of(orders(firstRoot));
        try (ConsulConnectCertificates connect = ConsulConnectCertificates.builder("web")
                .agentUrl(agent.baseUrl()).aclToken("connect-token").wait(Duration.ofSeconds(1)).build();
                MeshClient mesh = MeshClient.builder().discovery(discovery)
                        .defaultSettings(ServiceSettings.custom().retry(RetryConfig.disabled())
                                .tls(TlsSettings.builder().certificates(connect).build()).build())
                        .build()) {
            assertThat(call(mesh)).isEqualTo("orders");
            assertThat(clients.peek()).endsWith("/dc/dc1/svc/web");

            ServiceInstance rotated = orders(secondRoot);
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                assertThat(call(mesh)).isEqualTo("orders");
                return agent.findAll(getRequestedFor(urlPathEqualTo(ROOTS))
                        .withQueryParam("index", equalTo("10"))).size() == 1;
            });
            // The new root is trusted once the rotated roots arrived: an instance signed by it answers.
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                discovery.setInstances("orders", List.of(rotated));
                try {
                    return call(mesh).equals("orders");
                } catch (IOException notYet) {
                    return false;
                }
            });
            assertThat(servers.get(1).getRequestCount()).isPositive();
            agent.verify(1, getRequestedFor(urlPathEqualTo(ROOTS)).withQueryParam("index", equalTo("10")));
            agent.verify(getRequestedFor(urlPathEqualTo(LEAF)).withHeader("X-Consul-Token", equalTo("connect-token")));
        }
    }
}
