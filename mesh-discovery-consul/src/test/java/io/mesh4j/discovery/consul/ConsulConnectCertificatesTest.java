package io.mesh4j.discovery.consul;

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
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.mesh4j.api.tls.CertificateBundle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ConsulConnectCertificates against WireMock answering the agent's Connect endpoints: what makes a bundle, and what
 * keeps the last one. The PEM text is opaque to the source (the client parses it), so these bodies carry markers.
 */
class ConsulConnectCertificatesTest {

    private static final String ROOTS = "/v1/agent/connect/ca/roots";
    private static final String LEAF = "/v1/agent/connect/ca/leaf/web";
    private static final String URI = "spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/";

    private final WireMockServer agent = new WireMockServer(wireMockConfig().dynamicPort());
    private ConsulConnectCertificates source;

    @BeforeEach
    void start() {
        agent.start();
    }

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        agent.stop();
    }

    private static String roots(String... pems) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < pems.length; i++) {
            list.append(i == 0 ? "" : ",").append("{\"ID\": \"15:bf:0").append(i).append("\", \"Name\": \"Consul CA")
                    .append(" Root Cert\", \"RootCert\": \"").append(pems[i]).append("\", \"IntermediateCerts\":")
                    .append(" null, \"Active\": ").append(i == pems.length - 1).append(", \"CreateIndex\": 8,")
                    .append(" \"ModifyIndex\": 8}");
        }
        return "{\"ActiveRootID\": \"15:bf:00\", \"TrustDomain\": \"11111111-2222-3333-4444-555555555555.consul\","
                + " \"Roots\": [" + list + "]}";
    }

    private static String leaf(String certificate, String service) {
        return "{\"SerialNumber\": \"08\", \"CertPEM\": \"" + certificate + "\", \"PrivateKeyPEM\": \"key-of-"
                + certificate + "\", \"Service\": \"" + service + "\", \"ServiceURI\": \"" + URI + service
                + "\", \"ValidAfter\": \"2026-12-01T16:36:42Z\", \"ValidBefore\": \"2026-12-04T16:36:42Z\","
                + " \"CreateIndex\": 5, \"ModifyIndex\": 5}";
    }

    private static MappingBuilder read(String path, String index) {
        return get(urlPathEqualTo(path)).withQueryParam("index", index == null ? absent() : equalTo(index));
    }

    private ConsulConnectCertificates.Builder builder() {
        return ConsulConnectCertificates.builder("web").agentUrl(agent.baseUrl()).wait(Duration.ofSeconds(1))
                .minRequestInterval(Duration.ZERO).errorBackoff(Duration.ofMillis(20), Duration.ofMillis(40));
    }

    @Test
    void shouldBundleRootsAndLeafWithIdentityTemplateBeforeSubscribeReturns() {
        agent.stubFor(read(ROOTS, null).willReturn(aResponse().withHeader("X-Consul-Index", "10")
                .withBody(roots("root-1", "root-2"))));
        agent.stubFor(read(ROOTS, "10").willReturn(aResponse().withFixedDelay(5_000)
                .withHeader("X-Consul-Index", "10").withBody(roots("root-1", "root-2"))));
        agent.stubFor(read(LEAF, null).willReturn(aResponse().withHeader("X-Consul-Index", "20")
                .withBody(leaf("leaf-1", "web"))));
        agent.stubFor(read(LEAF, "20").willReturn(aResponse().withFixedDelay(5_000)
                .withHeader("X-Consul-Index", "20").withBody(leaf("leaf-1", "web"))));
        source = builder().build();
        List<CertificateBundle> bundles = new CopyOnWriteArrayList<>();

        source.subscribe(bundles::add);

        assertThat(bundles).hasSize(1);
        CertificateBundle bundle = bundles.get(0);
        assertThat(bundle.trustRootsPem()).containsExactly("root-1", "root-2");
        assertThat(bundle.certificateChainPem()).isEqualTo("leaf-1");
        assertThat(bundle.privateKeyPem()).isEqualTo("key-of-leaf-1");
        assertThat(bundle.identityOf("orders")).isEqualTo(URI + "orders");
        assertThat(bundle.toString()).doesNotContain("key-of");
    }

    @Test
    void shouldKeepLastBundleWhenAgentFailsOrAnswersMalformedOrForeignLeaf() {
        agent.stubFor(read(ROOTS, null).willReturn(aResponse().withHeader("X-Consul-Index", "10")
                .withBody(roots("root-1"))));
        agent.stubFor(read(ROOTS, "10").inScenario("roots").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("malformed"));
        agent.stubFor(read(ROOTS, "10").inScenario("roots").whenScenarioStateIs("malformed")
                .willReturn(aResponse().withHeader("X-Consul-Index", "11").withBody("{\"Roots\": [{\"Name\": 1}]}"))
                .willSetStateTo("good"));
        agent.stubFor(read(ROOTS, "10").inScenario("roots").whenScenarioStateIs("good")
                .willReturn(aResponse().withHeader("X-Consul-Index", "12").withBody(roots("root-1", "root-2")))
                .willSetStateTo("done"));
        agent.stubFor(read(ROOTS, "12").willReturn(aResponse().withFixedDelay(5_000)
                .withHeader("X-Consul-Index", "12").withBody(roots("root-1", "root-2"))));
        agent.stubFor(read(LEAF, null).willReturn(aResponse().withHeader("X-Consul-Index", "20")
                .withBody(leaf("leaf-1", "web"))));
        agent.stubFor(read(LEAF, "20").inScenario("leaf").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withHeader("X-Consul-Index", "21").withBody(leaf("leaf-x", "billing")))
                .willSetStateTo("blocked"));
        agent.stubFor(read(LEAF, "20").inScenario("leaf").whenScenarioStateIs("blocked")
                .willReturn(aResponse().withFixedDelay(5_000).withHeader("X-Consul-Index", "20")
                        .withBody(leaf("leaf-1", "web"))));
        source = builder().build();
        List<CertificateBundle> bundles = new CopyOnWriteArrayList<>();

        source.subscribe(bundles::add);

        await().atMost(Duration.ofSeconds(5)).until(() -> bundles.size() == 2);
        assertThat(bundles.get(1).trustRootsPem()).containsExactly("root-1", "root-2");
        assertThat(bundles).allSatisfy(bundle -> assertThat(bundle.certificateChainPem()).isEqualTo("leaf-1"));
        agent.verify(3, getRequestedFor(urlPathEqualTo(ROOTS)).withQueryParam("index", equalTo("10")));
    }
}
