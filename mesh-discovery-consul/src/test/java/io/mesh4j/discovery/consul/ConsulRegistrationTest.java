package io.mesh4j.discovery.consul;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.mesh4j.api.ServiceInstance;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ConsulRegistration against WireMock speaking the agent's service and check endpoints. */
class ConsulRegistrationTest {

    private static final String REGISTER = "/v1/agent/service/register";
    private static final String HEARTBEAT = "/v1/agent/check/pass/service:orders-7";
    private static final String DEREGISTER = "/v1/agent/service/deregister/orders-7";

    private final WireMockServer consul = new WireMockServer(wireMockConfig().dynamicPort());
    private final ServiceInstance self = ServiceInstance.builder("orders", "10.0.0.7", 8080).id("orders-7")
            .zone("eu-1a").tags("v2").metadata("version", "2.1").build();
    private ConsulRegistration registration;

    @BeforeEach
    void setUp() {
        consul.start();
        consul.stubFor(put(urlPathEqualTo(REGISTER)).willReturn(aResponse().withStatus(200)));
        consul.stubFor(put(urlPathEqualTo(DEREGISTER)).willReturn(aResponse().withStatus(200)));
    }

    @AfterEach
    void tearDown() {
        if (registration != null) {
            registration.close();
        }
        consul.stop();
    }

    private ConsulRegistration.Builder builder() {
        return ConsulRegistration.builder(self).agentUrl("http://localhost:" + consul.port())
                .deregisterOnShutdown(false);
    }

    /** The client writes {@code Id} where HashiCorp's sample writes {@code ID}; the agent reads keys case-insensitively. */
    @Test
    void shouldSendDocumentedRegistrationPayloadWithTtlCheck() {
        consul.stubFor(put(urlPathEqualTo(HEARTBEAT)).willReturn(aResponse().withStatus(200)));

        registration = builder().ttl(Duration.ofSeconds(15)).aclToken("acl-write-1").register();

        consul.verify(putRequestedFor(urlPathEqualTo(REGISTER))
                .withHeader("X-Consul-Token", equalTo("acl-write-1"))
                .withRequestBody(matchingJsonPath("$.Id", equalTo("orders-7")))
                .withRequestBody(matchingJsonPath("$.Name", equalTo("orders")))
                .withRequestBody(matchingJsonPath("$.Address", equalTo("10.0.0.7")))
                .withRequestBody(matchingJsonPath("$.Port", equalTo("8080")))
                .withRequestBody(matchingJsonPath("$.Tags[0]", equalTo("v2")))
                .withRequestBody(matchingJsonPath("$.Meta.version", equalTo("2.1")))
                .withRequestBody(matchingJsonPath("$.Meta.zone", equalTo("eu-1a")))
                .withRequestBody(matchingJsonPath("$.Check.TTL", equalTo("15000ms")))
                .withRequestBody(matchingJsonPath("$.Check.DeregisterCriticalServiceAfter", equalTo("60s"))));
        assertThat(consul.findAll(putRequestedFor(urlPathEqualTo(REGISTER))).get(0).getUrl())
                .doesNotContain("acl-write-1");
    }

    @Test
    void shouldMarkSecureInstanceAsDiscoveryReadsItWhenRegistering() {
        consul.stubFor(put(urlPathEqualTo(HEARTBEAT)).willReturn(aResponse().withStatus(200)));
        ServiceInstance secure = ServiceInstance.builder("orders", "10.0.0.7", 8443).id("orders-7").secure(true)
                .build();

        registration = ConsulRegistration.builder(secure).agentUrl("http://localhost:" + consul.port())
                .deregisterOnShutdown(false).register();

        consul.verify(putRequestedFor(urlPathEqualTo(REGISTER))
                .withRequestBody(matchingJsonPath("$.Meta.secure", equalTo("true"))));
        assertThatThrownBy(() -> ConsulRegistration.builder(secure).tlsMetadataKey(" ").register())
                .hasMessageStartingWith("tlsMetadataKey: ' '");
    }

    @Test
    void shouldKeepTtlCheckPassingWithHeartbeats() {
        consul.stubFor(put(urlPathEqualTo(HEARTBEAT)).willReturn(aResponse().withStatus(200)));

        registration = builder().ttl(Duration.ofMillis(300)).register();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> consul.findAll(putRequestedFor(urlPathEqualTo(HEARTBEAT))).size() >= 3);
        assertThat(consul.findAll(putRequestedFor(urlPathEqualTo(REGISTER)))).hasSize(1);
    }

    @Test
    void shouldRegisterAgainWhenAgentForgotTheCheck() {
        consul.stubFor(put(urlPathEqualTo(HEARTBEAT)).willReturn(aResponse().withStatus(404)
                .withBody("CheckID does not have associated TTL")));

        registration = builder().ttl(Duration.ofMillis(300)).register();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> consul.findAll(putRequestedFor(urlPathEqualTo(REGISTER))).size() >= 2);
    }

    @Test
    void shouldDeregisterAndStopHeartbeatWhenClosed() {
        consul.stubFor(put(urlPathEqualTo(HEARTBEAT)).willReturn(aResponse().withStatus(200)));
        registration = builder().ttl(Duration.ofMillis(300)).register();

        registration.close();
        int beats = consul.findAll(putRequestedFor(urlPathMatching("/v1/agent/check/.*"))).size();

        consul.verify(1, putRequestedFor(urlPathEqualTo(DEREGISTER)));
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
                .until(() -> consul.findAll(putRequestedFor(urlPathMatching("/v1/agent/check/.*"))).size() == beats);
    }

    @Test
    void shouldUseHttpCheckWhenAsked() {
        registration = builder().httpCheck("http://10.0.0.7:8080/health", Duration.ofSeconds(5)).register();

        consul.verify(putRequestedFor(urlPathEqualTo(REGISTER))
                .withRequestBody(matchingJsonPath("$.Check.HTTP", equalTo("http://10.0.0.7:8080/health")))
                .withRequestBody(matchingJsonPath("$.Check.Interval", equalTo("5000ms"))));
    }

    @Test
    void shouldFailNamingFieldWhenValuesAreOutOfRange() {
        assertThatThrownBy(() -> builder().ttl(Duration.ofMillis(10)).register())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ttl: 10ms (expected: 100ms to 1h)");
        assertThatThrownBy(() -> builder().deregisterCriticalServiceAfter(Duration.ofSeconds(5)).register())
                .hasMessageStartingWith("deregisterCriticalServiceAfter: 5s");
    }
}
