package io.mesh4j.discovery.consul;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 200 services watched at once against one WireMock whose blocking queries hold for 5 s: the watches wait without
 * holding threads, and an unchanging service sends no more than one query per wait period.
 */
class ConsulWatchScaleTest {

    private static final int SERVICES = 200;
    private static final String BODY = "[{\"Node\": {\"Node\": \"n1\", \"Address\": \"10.0.0.1\"},"
            + " \"Service\": {\"ID\": \"s1\", \"Service\": \"s\", \"Tags\": [], \"Address\": \"10.0.0.1\","
            + " \"Meta\": {}, \"Port\": 8080}, \"Checks\": []}]";

    private final WireMockServer consul = new WireMockServer(wireMockConfig().dynamicPort().containerThreads(40)
            .asynchronousResponseEnabled(true).asynchronousResponseThreads(4));
    private ConsulDiscovery discovery;

    @AfterEach
    void tearDown() {
        if (discovery != null) {
            discovery.close();
        }
        consul.stop();
    }

    private static long meshThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("mesh4j-consul") || t.getName().startsWith("HttpClient"))
                .count();
    }

    @Test
    void shouldHoldNoThreadPerWaitingWatchAndNotBusyLoop() {
        consul.start();
        consul.stubFor(get(urlPathMatching("/v1/health/service/svc-.*")).withQueryParam("index", absent())
                .willReturn(aResponse().withHeader("X-Consul-Index", "5").withBody(BODY)));
        consul.stubFor(get(urlPathMatching("/v1/health/service/svc-.*")).withQueryParam("index", matching("\\d+"))
                .willReturn(aResponse().withHeader("X-Consul-Index", "5").withBody(BODY).withFixedDelay(5_000)));
        discovery = ConsulDiscovery.builder()
                .agentUrl("http://localhost:" + consul.port())
                .wait(Duration.ofSeconds(5))
                .build();
        AtomicInteger notified = new AtomicInteger();
        for (int i = 0; i < SERVICES; i++) {
            discovery.subscribe("svc-" + i, (service, instances) -> notified.incrementAndGet());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> notified.get() == SERVICES
                && consul.findAll(getRequestedFor(urlPathMatching("/v1/health/service/.*"))).size() >= 2 * SERVICES);

        assertThat(meshThreads()).as("threads while %d blocking queries wait", SERVICES).isLessThanOrEqualTo(12);
        int afterFirstRound = consul.findAll(getRequestedFor(urlPathMatching("/v1/health/service/.*"))).size();
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() ->
                consul.findAll(getRequestedFor(urlPathMatching("/v1/health/service/.*"))).size() - afterFirstRound
                        <= SERVICES);
        assertThat(notified.get()).as("an unchanging service is told once").isEqualTo(SERVICES);
    }
}
