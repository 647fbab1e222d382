package io.mesh4j.discovery.consul;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ConsulPolicySource against WireMock answering {@code /v1/kv/<key>} with HashiCorp's documented body. */
class ConsulPolicySourceTest {

    private static final String KEY = "/v1/kv/mesh/policy";

    private final WireMockServer consul = new WireMockServer(wireMockConfig().dynamicPort());
    private ConsulPolicySource source;

    @BeforeEach
    void setUp() {
        consul.start();
    }

    @AfterEach
    void tearDown() {
        if (source != null) {
            source.close();
        }
        consul.stop();
    }

    /** The documented "Read Key" answer for {@code mesh/policy} holding {@code document}. */
    static String entry(String document) {
        try (InputStream in = ConsulPolicySourceTest.class.getResourceAsStream("/consul/kv-read-key.json")) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return body.replace("\"Key\": \"zip\"", "\"Key\": \"mesh/policy\"")
                    .replace("\"dGVzdA==\"", '"' + Base64.getEncoder().encodeToString(
                            document.getBytes(StandardCharsets.UTF_8)) + '"');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MappingBuilder read(String index) {
        return get(urlPathEqualTo(KEY)).withQueryParam("index", index == null ? absent() : equalTo(index));
    }

    private ConsulPolicySource.Builder builder() {
        return ConsulPolicySource.builder("mesh/policy").agentUrl(consul.baseUrl()).wait(Duration.ofSeconds(1))
                .minRequestInterval(Duration.ZERO).errorBackoff(Duration.ofMillis(20), Duration.ofMillis(40));
    }

    @Test
    void shouldDeliverChangeInOneBlockingRoundTripWhenKeyIsUpdated() {
        consul.stubFor(read(null).willReturn(aResponse().withHeader("X-Consul-Index", "10")
                .withBody(entry("{\"a\": 1}"))));
        consul.stubFor(read("10").willReturn(aResponse().withFixedDelay(100).withHeader("X-Consul-Index", "11")
                .withBody(entry("{\"a\": 2}"))));
        consul.stubFor(read("11").willReturn(aResponse().withFixedDelay(5_000).withHeader("X-Consul-Index", "11")
                .withBody(entry("{\"a\": 2}"))));
        source = builder().aclToken("secret-token").build();
        List<String> delivered = new CopyOnWriteArrayList<>();

        source.subscribe(delivered::add);

        assertThat(delivered).as("the first answer before subscribe returns").containsExactly("{\"a\": 1}");
        await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 2);
        assertThat(delivered).containsExactly("{\"a\": 1}", "{\"a\": 2}");
        consul.verify(1, getRequestedFor(urlPathEqualTo(KEY)).withQueryParam("index", equalTo("10"))
                .withQueryParam("wait", equalTo("1s")).withHeader("X-Consul-Token", equalTo("secret-token")));
        assertThat(consul.findAll(getRequestedFor(urlPathEqualTo(KEY)))).noneMatch(request ->
                request.getUrl().contains("secret-token"));
    }

    @Test
    void shouldKeepLastDocumentWhenConsulFailsOrAnswersMalformedJsonOrKeyIsGone() {
        consul.stubFor(read(null).willReturn(aResponse().withHeader("X-Consul-Index", "10")
                .withBody(entry("{\"a\": 1}"))));
        consul.stubFor(read("10").inScenario("outage").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500).withBody("rpc error")).willSetStateTo("malformed"));
        consul.stubFor(read("10").inScenario("outage").whenScenarioStateIs("malformed")
                .willReturn(aResponse().withHeader("X-Consul-Index", "12").withBody("[{\"Key\": \"mesh/pol"))
                .willSetStateTo("gone"));
        consul.stubFor(read("10").inScenario("outage").whenScenarioStateIs("gone")
                .willReturn(aResponse().withStatus(404).withHeader("X-Consul-Index", "13"))
                .willSetStateTo("back"));
        consul.stubFor(read("13").willReturn(aResponse().withHeader("X-Consul-Index", "14")
                .withBody(entry("{\"a\": 3}"))));
        consul.stubFor(read("14").willReturn(aResponse().withFixedDelay(5_000).withHeader("X-Consul-Index", "14")
                .withBody(entry("{\"a\": 3}"))));
        source = builder().build();
        List<String> delivered = new CopyOnWriteArrayList<>();

        source.subscribe(delivered::add);

        await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 2);
        assertThat(delivered).containsExactly("{\"a\": 1}", "{\"a\": 3}");
        consul.verify(3, getRequestedFor(urlPathEqualTo(KEY)).withQueryParam("index", equalTo("10")));
    }

    @Test
    void shouldStartOverWhenIndexGoesBackwards() {
        consul.stubFor(read(null).inScenario("reset").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withHeader("X-Consul-Index", "50").withBody(entry("{\"a\": 1}")))
                .willSetStateTo("restored"));
        consul.stubFor(read("50").willReturn(aResponse().withHeader("X-Consul-Index", "7")
                .withBody(entry("{\"a\": 1}"))));
        consul.stubFor(read(null).inScenario("reset").whenScenarioStateIs("restored")
                .willReturn(aResponse().withHeader("X-Consul-Index", "8").withBody(entry("{\"a\": 2}"))));
        consul.stubFor(read("8").willReturn(aResponse().withFixedDelay(5_000).withHeader("X-Consul-Index", "8")
                .withBody(entry("{\"a\": 2}"))));
        source = builder().build();
        List<String> delivered = new CopyOnWriteArrayList<>();

        source.subscribe(delivered::add);

        await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 2);
        consul.verify(2, getRequestedFor(urlPathEqualTo(KEY)).withQueryParam("index", absent()));
    }

    @Test
    void shouldSpaceQueriesWhenConsulAnswersWithoutBlocking() {
        consul.stubFor(get(urlPathEqualTo(KEY)).willReturn(aResponse().withHeader("X-Consul-Index", "10")
                .withBody(entry("{\"a\": 1}"))));
        source = builder().minRequestInterval(Duration.ofMillis(200)).build();
        List<String> delivered = new CopyOnWriteArrayList<>();

        source.subscribe(delivered::add);

        await().atMost(Duration.ofSeconds(5)).until(() ->
                consul.findAll(getRequestedFor(urlPathEqualTo(KEY))).size() >= 4);
        List<Long> starts = consul.findAll(getRequestedFor(urlPathEqualTo(KEY))).stream()
                .map(request -> request.getLoggedDate().getTime()).sorted().toList();
        for (int i = 1; i < 4; i++) {
            assertThat(starts.get(i) - starts.get(i - 1)).as("gap before query %d", i).isGreaterThanOrEqualTo(190);
        }
        assertThat(delivered).containsExactly("{\"a\": 1}");
    }

    @Test
    void shouldNameFieldWhenBuilderValueIsOutOfRange() {
        assertThatThrownBy(() -> ConsulPolicySource.builder("/mesh/policy")).hasMessageContaining("key: '/mesh/policy'");
        assertThatThrownBy(() -> ConsulPolicySource.builder("k").wait(Duration.ofMillis(1500)))
                .hasMessage("wait: 1500ms (expected: whole seconds)");
        assertThatThrownBy(() -> ConsulPolicySource.builder("k").agentUrl("consul:8500"))
                .hasMessageContaining("agentUrl: 'consul:8500'");
    }
}
