package io.mesh4j.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RouteTest {

    private static Route rewriting(String prefix, String rewrite) {
        return Route.builder("r").match(RouteMatch.builder().path(PathMatch.prefix(prefix)).build()).to("v1")
                .prefixRewrite(rewrite).build();
    }

    @Test
    void shouldReplaceMatchedPrefixWhenRouteRewritesIt() {
        assertThat(rewriting("/v1", "/api/v1").rewritePath("/v1/items")).isEqualTo("/api/v1/items");
        assertThat(rewriting("/v1", "/api/v1").rewritePath("/v1")).isEqualTo("/api/v1");
        assertThat(rewriting("/v1", "/api/").rewritePath("/v1/items")).isEqualTo("/api/items");
        assertThat(rewriting("/v1/", "/api").rewritePath("/v1/items")).isEqualTo("/api/items");
        assertThat(rewriting("/v1", "").rewritePath("/v1/items")).isEqualTo("/items");
        assertThat(rewriting("/v1", "").rewritePath("/v1")).isEqualTo("/");
        assertThat(rewriting("/", "/api").rewritePath("/items")).isEqualTo("/api/items");
    }

    @Test
    void shouldKeepPathWhenRouteDoesNotRewrite() {
        Route route = Route.builder("r").to("v1").build();
        assertThat(route.rewritePath("/v1/items")).isEqualTo("/v1/items");
        assertThat(route.maxHedges()).as("the service's hedging").isEqualTo(-1);
        assertThat(route.maxAttempts()).as("the service's attempts").isZero();
    }

    @Test
    void shouldKeepLowerCaseNamesWhenRouteEditsHeaders() {
        Route route = Route.builder("r").to("v1").setRequestHeader("X-Route", "a").removeRequestHeader("X-Debug")
                .build();
        assertThat(route.setRequestHeaders()).containsEntry("x-route", "a");
        assertThat(route.removeRequestHeaders()).containsExactly("x-debug");
    }

    @Test
    void shouldNameFieldWhenRouteSettingIsInvalid() {
        assertThatThrownBy(() -> Route.builder("r").to("v1").timeout(Duration.ofSeconds(1))
                .perTryTimeout(Duration.ofSeconds(2)).build())
                .hasMessage("route 'r': perTryTimeout 2s (expected: <= timeout 1s)");
        assertThatThrownBy(() -> Route.builder("r").to("v1").prefixRewrite("/api").build())
                .hasMessageContaining("prefixRewrite without a path prefix");
        assertThatThrownBy(() -> Route.builder("r").retries(11)).hasMessage("maxAttempts: 11 (expected: 1 to 10)");
        assertThatThrownBy(() -> Route.builder("r").retryOn(404)).hasMessage(
                "retryOn: 404 (expected: 500 to 599, or 429)");
        assertThatThrownBy(() -> Route.builder("r").hedging(6, Duration.ofMillis(10))).hasMessage(
                "maxHedges: 6 (expected: 0 to 5)");
        assertThatThrownBy(() -> Route.builder("r").setRequestHeader("Host", "x")).hasMessageContaining(
                "use authority");
        assertThatThrownBy(() -> Route.builder("r").setRequestHeader("x-a", "line\nbreak")).hasMessageContaining(
                "header 'x-a': value with character 10");
        assertThatThrownBy(() -> Route.builder("r").authority("orders/x")).hasMessage(
                "authority: 'orders/x' (expected: host or host:port)");
        assertThatThrownBy(() -> Mirror.toSubset("v2", 0)).hasMessage(
                "mirror percent: 0.0 (expected: more than 0, up to 100)");
        assertThatThrownBy(() -> Mirror.toService("not a host", 5)).hasMessageContaining("service");
    }
}
