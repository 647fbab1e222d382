package io.mesh4j.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.ServiceInstance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PolicyDocumentTest {

    /** The example of {@code docs/POLICY.md}, so that the documentation stays a valid document. */
    private static String documentedExample() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "POLICY.md"));
        int start = doc.indexOf("```json\n") + "```json\n".length();
        return doc.substring(start, doc.indexOf("```", start));
    }

    @Test
    void shouldReadEveryMemberWhenDocumentIsTheDocumentedExample() throws IOException {
        MeshPolicy policy = PolicyDocument.parse(documentedExample());

        ServiceRoutes orders = policy.service("orders");
        assertThat(orders.routes()).extracting(Route::name)
                .containsExactly("testers", "legacy-api", "checkout", "reads", "chaos");
        assertThat(orders.fallbackSubset()).isEqualTo("v1");
        ServiceInstance canary = ServiceInstance.builder("orders", "10.0.0.1", 80).tags("canary")
                .metadata("version", "v2").build();
        assertThat(orders.subset("canary").selects(canary)).isTrue();
        assertThat(orders.subset("v1").selects(canary)).isFalse();

        Route testers = orders.routes().get(0);
        assertThat(testers.match().matches(TestRequest.get("/x").withHeader("x-tester", "1"))).isTrue();
        assertThat(testers.subsets()).containsExactly("canary");

        Route legacy = orders.routes().get(1);
        assertThat(legacy.match().matches(TestRequest.get("/v1/items").withQuery("format", "xml"))).isTrue();
        assertThat(legacy.match().matches(TestRequest.get("/v1/items").withQuery("format", "csv"))).isFalse();
        assertThat(legacy.rewritePath("/v1/items")).isEqualTo("/api/v1/items");
        assertThat(legacy.authority()).isEqualTo("orders.internal");
        assertThat(legacy.setRequestHeaders()).containsEntry("x-route", "legacy-api");
        assertThat(legacy.removeRequestHeaders()).containsExactly("x-debug");

        Route checkout = orders.routes().get(2);
        assertThat(checkout.weight("v1")).isEqualTo(90);
        assertThat(checkout.weight("v2")).isEqualTo(10);
        assertThat(checkout.stickyHeader()).isEqualTo("x-user-id");
        assertThat(checkout.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(checkout.perTryTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(checkout.maxAttempts()).isEqualTo(1);

        Route reads = orders.routes().get(3);
        assertThat(reads.retryOn()).containsExactlyInAnyOrder(502, 503, 504);
        assertThat(reads.maxHedges()).isEqualTo(1);
        assertThat(reads.hedgeDelay()).isEqualTo(Duration.ofMillis(50));
        assertThat(reads.mirror().subset()).isEqualTo("canary");
        assertThat(reads.mirror().percent()).isEqualTo(5.0);

        Fault chaos = orders.routes().get(4).fault();
        assertThat(chaos.delay()).isEqualTo(Duration.ofMillis(200));
        assertThat(chaos.delayPercent()).isEqualTo(10.0);
        assertThat(chaos.abortStatus()).isEqualTo(503);
        assertThat(chaos.abortPercent()).isEqualTo(5.0);
    }

    @Test
    void shouldReadEmptyPolicyWhenDocumentHasNoServices() {
        assertThat(PolicyDocument.parse("{}").services()).isEmpty();
        assertThat(PolicyDocument.parse("{\"services\": {}}").services()).isEmpty();
    }

    @Test
    void shouldNameJsonPathWhenDocumentIsInvalid() {
        String route = "{\"services\": {\"orders\": {\"subsets\": {\"v1\": {}}, \"routes\": [%s]}}}";
        assertThatThrownBy(() -> PolicyDocument.parse(String.format(route, "{\"name\": \"a\", \"to\": \"v1\","
                + " \"tiemout\": \"1s\"}")))
                .hasMessageStartingWith("services.orders.routes[0].tiemout: unknown member");
        assertThatThrownBy(() -> PolicyDocument.parse(String.format(route, "{\"name\": \"a\", \"split\":"
                + " {\"v1\": 0}}")))
                .hasMessage("services.orders.routes[0].split.v1: weight: 0 (expected: 1 to 10000)");
        assertThatThrownBy(() -> PolicyDocument.parse(String.format(route, "{\"name\": \"a\", \"to\": \"v9\"}")))
                .hasMessageStartingWith("services.orders: route 'a' of service 'orders': subset 'v9'");
        assertThatThrownBy(() -> PolicyDocument.parse(String.format(route, "{\"name\": \"a\", \"to\": \"v1\","
                + " \"timeout\": \"soon\"}")))
                .hasMessage("services.orders.routes[0].timeout: \"soon\" (expected: a duration such as \"250ms\","
                        + " \"2s\" or \"1m\")");
        assertThatThrownBy(() -> PolicyDocument.parse(String.format(route, "{\"to\": \"v1\"}")))
                .hasMessageStartingWith("services.orders.routes[0]: {...} (expected: a \"name\")");
        assertThatThrownBy(() -> PolicyDocument.parse(String.format(route, "{\"name\": \"a\", \"to\": \"v1\","
                + " \"match\": {\"path\": {\"prefix\": \"/a\", \"exact\": \"/b\"}}}")))
                .hasMessageContaining("services.orders.routes[0].match.path: {...} (expected: exactly one of");
        assertThatThrownBy(() -> PolicyDocument.parse(String.format(route, "{\"name\": \"a\", \"to\": \"v1\","
                + " \"retries\": 2.5}")))
                .hasMessage("services.orders.routes[0].retries: 2.5 (expected: a whole number)");
        assertThatThrownBy(() -> PolicyDocument.parse(String.format(route, "{\"name\": \"a\", \"to\": \"v1\","
                + " \"mirror\": {\"subset\": \"v9\", \"percent\": 5}}")))
                .hasMessageContaining("mirror subset 'v9'");
        assertThatThrownBy(() -> PolicyDocument.parse("{\"services\": [1]}"))
                .hasMessage("services: [...] (expected: an object)");
        assertThatThrownBy(() -> PolicyDocument.parse("{\"services\": {\"orders\": {\"routes\": [}}}"))
                .hasMessage("JSON at line 1, column 37: '}' (expected: a value)");
    }
}
