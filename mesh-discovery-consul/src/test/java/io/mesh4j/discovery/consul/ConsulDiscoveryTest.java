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

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.mesh4j.api.ServiceInstance;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** ConsulDiscovery against WireMock speaking Consul's HTTP API with HashiCorp's documented bodies. */
class ConsulDiscoveryTest {

    private static final String HEALTH = "/v1/health/service/redis";

    private final WireMockServer consul = new WireMockServer(wireMockConfig().dynamicPort());
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private ConsulDiscovery discovery;

    @BeforeEach
    void setUp() {
        consul.start();
        logs.start();
        ((Logger) LoggerFactory.getLogger(ServiceWatch.class)).addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(ServiceWatch.class)).detachAppender(logs);
        if (discovery != null) {
            discovery.close();
        }
        consul.stop();
    }

    private static String fixture(String name) {
        try (InputStream in = ConsulDiscoveryTest.class.getResourceAsStream("/consul/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The documented redis entry, with its service address and port replaced. */
    private static String redis(String... addressAndPort) {
        String entry = fixture("health-service-redis.json").trim();
        entry = entry.substring(1, entry.length() - 1).trim();
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < addressAndPort.length; i++) {
            String[] parts = addressAndPort[i].split(":");
            body.append(i == 0 ? "" : ",").append(entry
                    .replace("\"ID\": \"redis\"", "\"ID\": \"redis-" + parts[1] + "\"")
                    .replace("\"Address\": \"10.1.10.12\",\n      \"TaggedAddresses\": {\n        \"lan\": {",
                            "\"Address\": \"" + parts[0] + "\",\n      \"TaggedAddresses\": {\n        \"lan\": {")
                    .replace("\"Port\": 8000", "\"Port\": " + parts[1]));
        }
        return body.append(']').toString();
    }

    private ConsulDiscovery.Builder builder() {
        return ConsulDiscovery.builder()
                .agentUrl("http://localhost:" + consul.port())
                .wait(Duration.ofSeconds(2))
                .minRequestInterval(Duration.ZERO)
                .errorBackoff(Duration.ofMillis(10), Duration.ofMillis(40))
                .ticker(now::get);
    }

    private List<String> sentIndexes() {
        return consul.findAll(getRequestedFor(urlPathEqualTo(HEALTH))).stream()
                .map(r -> r.queryParameter("index").isPresent() ? r.queryParameter("index").firstValue() : "-")
                .collect(Collectors.toList());
    }

    @Test
    void shouldMapDocumentedInstanceWhenServiceIsFirstUsed() {
        consul.stubFor(get(urlPathEqualTo(HEALTH)).willReturn(aResponse().withHeader("X-Consul-Index", "100")
                .withHeader("Content-Type", "application/json").withBody(fixture("health-service-redis.json"))
                .withFixedDelay(1_000)));
        discovery = builder().zoneMetadataKey("instance_type").build();

        List<ServiceInstance> instances = discovery.instances("redis");

        assertThat(instances).hasSize(1);
        ServiceInstance redis = instances.get(0);
        assertThat(redis.id()).isEqualTo("foobar/redis");
        assertThat(redis.host()).isEqualTo("10.1.10.12");
        assertThat(redis.port()).isEqualTo(8000);
        assertThat(redis.weight()).isEqualTo(10);
        assertThat(redis.tags()).containsExactly("primary");
        assertThat(redis.metadata()).containsExactly(Map.entry("redis_version", "4.0"));
        assertThat(redis.zone()).as("from node metadata").isEqualTo("t2.medium");
        LoggedRequest first = consul.findAll(getRequestedFor(urlPathEqualTo(HEALTH))).get(0);
        assertThat(first.queryParameter("passing").isPresent()).isTrue();
    }

    @Test
    void shouldMarkInstanceSecureWhenMetadataOrConfiguredTagSaysTls() {
        String documented = fixture("health-service-redis.json");
        String withSecureMeta = documented.replace("\"redis_version\": \"4.0\"",
                "\"redis_version\": \"4.0\", \"secure\": \"true\"");
        String withTlsTag = documented.replace("\"Tags\": [\"primary\"]", "\"Tags\": [\"primary\", \"tls\"]");
        assertThat(withSecureMeta).isNotEqualTo(documented);
        assertThat(withTlsTag).isNotEqualTo(documented);

        assertThat(firstInstance(documented, builder()).secure()).isFalse();
        assertThat(firstInstance(withSecureMeta, builder()).secure()).as("secure=true, the default key").isTrue();
        assertThat(firstInstance(withSecureMeta, builder().tlsMetadataKey(null)).secure()).isFalse();
        assertThat(firstInstance(withTlsTag, builder()).secure()).as("no TLS tag by default").isFalse();
        assertThat(firstInstance(withTlsTag, builder().tlsTag("tls")).secure()).isTrue();
    }

    /** The first instance of redis that a discovery built from {@code builder} reads from {@code body}. */
    private ServiceInstance firstInstance(String body, ConsulDiscovery.Builder builder) {
        consul.resetAll();
        consul.stubFor(get(urlPathEqualTo(HEALTH)).willReturn(aResponse().withHeader("X-Consul-Index", "100")
                .withHeader("Content-Type", "application/json").withBody(body)));
        try (ConsulDiscovery reading = builder.build()) {
            return reading.instances("redis").get(0);
        }
    }

    @Test
    void shouldFollowIndexRulesAndTellOnlyRealChangesWhenBlocking() {
        String a = redis("10.0.0.1:8001");
        String ab = redis("10.0.0.1:8001", "10.0.0.2:8002");
        stubStep(Scenario.STARTED, "-", "10", a, "s1");
        stubStep("s1", "10", "12", ab, "s2");
        stubStep("s2", "12", "12", ab, "s3");
        stubStep("s3", "12", "5", ab, "s4");
        stubStep("s4", "0", "0", ab, "s5");
        stubStep("s5", "1", null, ab, "s6");
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("index").whenScenarioStateIs("s6")
                .willReturn(aResponse().withHeader("X-Consul-Index", "20").withBody(a).withFixedDelay(1_500)));
        discovery = builder().build();
        List<List<String>> seen = new CopyOnWriteArrayList<>();

        discovery.subscribe("redis", (service, instances) ->
                seen.add(instances.stream().map(ServiceInstance::host).collect(Collectors.toList())));

        await().atMost(Duration.ofSeconds(10)).until(() -> sentIndexes().size() >= 8);
        assertThat(sentIndexes().subList(0, 8)).containsExactly("-", "10", "12", "12", "0", "1", "0", "20");
        assertThat(seen).containsExactly(List.of("10.0.0.1"), List.of("10.0.0.1", "10.0.0.2"), List.of("10.0.0.1"));
    }

    /** In scenario state {@code state}, a query with index {@code sent} ("-" for none) gets {@code returned}. */
    private void stubStep(String state, String sent, String returned, String body, String next) {
        var response = aResponse().withHeader("Content-Type", "application/json").withBody(body);
        if (returned != null) {
            response.withHeader("X-Consul-Index", returned);
        }
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("index").whenScenarioStateIs(state)
                .withQueryParam("index", sent.equals("-") ? absent() : equalTo(sent))
                .willReturn(response).willSetStateTo(next));
    }

    @Test
    void shouldReturnLatestInstancesWhenConsulAnswerChangesAfterFirstLookup() {
        stubStep(Scenario.STARTED, "-", "10", redis("10.0.0.1:8001"), "s1");
        stubStep("s1", "10", "12", redis("10.0.0.1:8001", "10.0.0.2:8002"), "s2");
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("index").whenScenarioStateIs("s2")
                .willReturn(aResponse().withHeader("X-Consul-Index", "12").withFixedDelay(1_000)
                        .withBody(redis("10.0.0.1:8001", "10.0.0.2:8002"))));
        discovery = builder().build();

        assertThat(discovery.instances("redis")).extracting(ServiceInstance::host).containsExactly("10.0.0.1");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(discovery.instances("redis"))
                .extracting(ServiceInstance::host).containsExactly("10.0.0.1", "10.0.0.2"));
    }

    @Test
    void shouldKnowServiceOnceConsulAnswersWhenFirstQueryFailed() {
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("late").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500).withBody("No cluster leader")).willSetStateTo("up"));
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("late").whenScenarioStateIs("up")
                .willReturn(aResponse().withHeader("X-Consul-Index", "7").withFixedDelay(1_000)
                        .withBody(redis("10.0.0.1:8001"))));
        discovery = builder().build();

        assertThat(discovery.instances("redis")).as("Consul has not answered yet").isNull();
        assertThat(discovery.failure("redis")).as("why it cannot tell").isNotNull();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(discovery.instances("redis"))
                .extracting(ServiceInstance::host).containsExactly("10.0.0.1"));
        assertThat(discovery.failure("redis")).isNull();
    }

    @Test
    void shouldStateDefaultPaceAndRejectWaitShorterThanRequestInterval() {
        assertThatThrownBy(() -> ConsulDiscovery.builder().wait(Duration.ofSeconds(1))
                .minRequestInterval(Duration.ofSeconds(2)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("wait: 1s (expected: >= minRequestInterval 2s");
        ConsulDiscovery.builder().wait(Duration.ofSeconds(1)).build().close();
    }

    @Test
    void shouldKeepLastGoodInstancesAndLogOnceWhenConsulFails() {
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("outage").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withHeader("X-Consul-Index", "7").withBody(redis("10.0.0.1:8001")))
                .willSetStateTo("down"));
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("outage").whenScenarioStateIs("down")
                .willReturn(aResponse().withStatus(500).withBody("rpc error")).willSetStateTo("garbage"));
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("outage").whenScenarioStateIs("garbage")
                .willReturn(aResponse().withHeader("X-Consul-Index", "8").withBody("[{\"Node\": ")).willSetStateTo("reset"));
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("outage").whenScenarioStateIs("reset")
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("down"));
        discovery = builder().build();
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        discovery.subscribe("redis", (service, instances) -> sizes.add(instances.size()));

        await().atMost(Duration.ofSeconds(10)).until(() -> sentIndexes().size() >= 8);
        now.addAndGet(Duration.ofMinutes(3).toNanos());

        assertThat(discovery.instances("redis")).extracting(ServiceInstance::host).containsExactly("10.0.0.1");
        assertThat(sizes).containsExactly(1);
        assertThat(discovery.staleness("redis")).isGreaterThanOrEqualTo(Duration.ofMinutes(3));
        assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.WARN)).hasSize(1);
    }

    @Test
    void shouldKeepLastGoodInstancesWhenConnectionIsRefused() {
        consul.stubFor(get(urlPathEqualTo(HEALTH)).willReturn(aResponse().withHeader("X-Consul-Index", "7")
                .withBody(redis("10.0.0.1:8001")).withFixedDelay(300)));
        discovery = builder().build();
        assertThat(discovery.instances("redis")).hasSize(1);

        consul.stop();
        now.addAndGet(Duration.ofMinutes(1).toNanos());

        // A query in flight when the agent goes away may hang on a connection nobody closes until its read timeout
        // (wait * 17 / 16 + 10 s, about 12 s here), so the bound is above that; the next query is refused at once.
        await().atMost(Duration.ofSeconds(20)).until(() -> logs.list.stream()
                .anyMatch(e -> e.getFormattedMessage().contains("keeping the last 1 instances")));
        assertThat(discovery.instances("redis")).extracting(ServiceInstance::host).containsExactly("10.0.0.1");
    }

    @Test
    void shouldStopWatchWhenNobodyUsedServiceForIdleTimeout() {
        consul.stubFor(get(urlPathEqualTo(HEALTH)).willReturn(aResponse().withHeader("X-Consul-Index", "7")
                .withBody(redis("10.0.0.1:8001")).withFixedDelay(200)));
        discovery = builder().idleTimeout(Duration.ofSeconds(1)).build();
        discovery.instances("redis");
        assertThat(discovery.toString()).contains("[redis]");

        now.addAndGet(Duration.ofSeconds(2).toNanos());

        await().atMost(Duration.ofSeconds(5)).until(() -> discovery.toString().contains("watching []"));
        int sent = sentIndexes().size();
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
                .until(() -> sentIndexes().size() <= sent + 1);
    }

    @Test
    void shouldStopServingInstancesOlderThanMaxStaleness() {
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("outage").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withHeader("X-Consul-Index", "7").withBody(redis("10.0.0.1:8001")))
                .willSetStateTo("down"));
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("outage").whenScenarioStateIs("down")
                .willReturn(aResponse().withStatus(503)));
        discovery = builder().maxStaleness(Duration.ofMinutes(1)).build();
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        discovery.subscribe("redis", (service, instances) -> sizes.add(instances.size()));
        await().atMost(Duration.ofSeconds(10)).until(() -> sentIndexes().size() >= 3);

        now.addAndGet(Duration.ofMinutes(2).toNanos());

        await().atMost(Duration.ofSeconds(10)).until(() -> sizes.equals(List.of(1, 0)));
        assertThat(discovery.instances("redis")).as("what subscribers were told").isEmpty();
    }

    @Test
    void shouldSendTokenAsHeaderOnlyAndNeverLogIt() {
        consul.stubFor(get(urlPathEqualTo(HEALTH)).willReturn(aResponse().withStatus(500)));
        discovery = builder().aclToken("acl-secret-123").build();

        discovery.instances("redis");
        await().atMost(Duration.ofSeconds(10)).until(() -> sentIndexes().size() >= 2);

        for (LoggedRequest request : consul.findAll(getRequestedFor(urlPathEqualTo(HEALTH)))) {
            assertThat(request.getHeader("X-Consul-Token")).isEqualTo("acl-secret-123");
            assertThat(request.getUrl()).doesNotContain("acl-secret-123").doesNotContain("token");
        }
        assertThat(logs.list).isNotEmpty()
                .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("acl-secret-123"));
    }

    @Test
    void shouldTreatServiceAsUnknownWhenNeitherHealthNorCatalogListsIt() {
        consul.stubFor(get(urlPathEqualTo("/v1/health/service/example.com"))
                .willReturn(aResponse().withHeader("X-Consul-Index", "3").withBody("[]")));
        consul.stubFor(get(urlPathEqualTo("/v1/catalog/service/example.com"))
                .willReturn(aResponse().withHeader("X-Consul-Index", "3").withBody("[]")));
        discovery = builder().build();

        assertThat(discovery.instances("example.com")).isNull();
        assertThat(discovery.instances("example.com")).isNull();

        assertThat(consul.findAll(getRequestedFor(urlPathEqualTo("/v1/health/service/example.com")))).hasSize(1);
    }

    @Test
    void shouldSendAtMostBurstPlusOneRequestPerIntervalWhenConsulAnswersAtOnce() {
        consul.stubFor(get(urlPathEqualTo(HEALTH)).willReturn(aResponse().withHeader("X-Consul-Index", "100")
                .withBody(redis("10.0.0.1:8001"))));
        discovery = builder().wait(Duration.ofSeconds(15)).minRequestInterval(Duration.ofSeconds(15))
                .ticker(System::nanoTime).build();

        discovery.instances("redis");
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> sentIndexes().size() >= 3);

        assertThat(sentIndexes()).as("first query plus the burst of 2").hasSize(3);
    }

    @Test
    void shouldKeepLastGoodInstancesWithoutSpinningWhenTokenIsRefused() {
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("acl").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withHeader("X-Consul-Index", "7").withBody(redis("10.0.0.1:8001")))
                .willSetStateTo("revoked"));
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("acl").whenScenarioStateIs("revoked")
                .willReturn(aResponse().withStatus(403).withBody("ACL not found")));
        discovery = builder().errorBackoff(Duration.ofMillis(100), Duration.ofMillis(200)).build();

        assertThat(discovery.instances("redis")).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> sentIndexes().size() >= 4);

        assertThat(discovery.instances("redis")).extracting(ServiceInstance::host).containsExactly("10.0.0.1");
        assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.WARN)).hasSize(1);
        int sent = sentIndexes().size();
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(sentIndexes().size() - sent).as("queries in half a second of backing off, 100 to 200 ms each")
                .isLessThanOrEqualTo(6);
    }

    @Test
    void shouldTellEmptySetAndKeepServiceKnownWhenNoInstancePasses() {
        stubStep(Scenario.STARTED, "-", "10", redis("10.0.0.1:8001"), "s1");
        stubStep("s1", "10", "11", "[]", "s2");
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("index").whenScenarioStateIs("s2")
                .willReturn(aResponse().withHeader("X-Consul-Index", "11").withFixedDelay(2_000).withBody("[]")));
        discovery = builder().build();
        List<Integer> sizes = new CopyOnWriteArrayList<>();

        discovery.subscribe("redis", (service, instances) -> sizes.add(instances.size()));

        await().atMost(Duration.ofSeconds(10)).until(() -> sizes.size() == 2);
        assertThat(sizes).containsExactly(1, 0);
        assertThat(discovery.instances("redis")).as("known, with no instance").isEmpty();
    }

    @Test
    void shouldTellEachFlapAndAgreeWithSubscribersWhenInstanceComesAndGoes() {
        String a = redis("10.0.0.1:8001");
        String ab = redis("10.0.0.1:8001", "10.0.0.2:8002");
        stubStep(Scenario.STARTED, "-", "10", a, "s1");
        stubStep("s1", "10", "11", ab, "s2");
        stubStep("s2", "11", "12", a, "s3");
        stubStep("s3", "12", "13", ab, "s4");
        stubStep("s4", "13", "14", a, "s5");
        consul.stubFor(get(urlPathEqualTo(HEALTH)).inScenario("index").whenScenarioStateIs("s5")
                .willReturn(aResponse().withHeader("X-Consul-Index", "14").withFixedDelay(2_000).withBody(a)));
        discovery = builder().build();
        List<Integer> sizes = new CopyOnWriteArrayList<>();

        discovery.subscribe("redis", (service, instances) -> sizes.add(instances.size()));

        await().atMost(Duration.ofSeconds(10)).until(() -> sizes.size() == 5);
        assertThat(sizes).containsExactly(1, 2, 1, 2, 1);
        assertThat(discovery.instances("redis")).hasSize(sizes.get(sizes.size() - 1));
    }

    @Test
    void shouldAnswerUnknownFirstThenKnowServiceWhenAgentIsSlow() {
        consul.stubFor(get(urlPathEqualTo(HEALTH)).withQueryParam("index", absent())
                .willReturn(aResponse().withHeader("X-Consul-Index", "7").withFixedDelay(1_000)
                        .withBody(redis("10.0.0.1:8001"))));
        consul.stubFor(get(urlPathEqualTo(HEALTH)).withQueryParam("index", equalTo("7"))
                .willReturn(aResponse().withHeader("X-Consul-Index", "7").withFixedDelay(2_000)
                        .withBody(redis("10.0.0.1:8001"))));
        discovery = builder().firstLookupTimeout(Duration.ofMillis(100)).build();

        assertThat(discovery.instances("redis")).as("not known within the first lookup's 100 ms").isNull();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(discovery.instances("redis"))
                .extracting(ServiceInstance::host).containsExactly("10.0.0.1"));
    }
}
