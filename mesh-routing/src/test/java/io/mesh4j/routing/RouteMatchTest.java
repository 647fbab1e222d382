package io.mesh4j.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RouteMatchTest {

    @Test
    void shouldMatchEveryRequestWhenNoConditionIsGiven() {
        assertThat(RouteMatch.any().matches(TestRequest.get("/anything").withMethod("DELETE"))).isTrue();
    }

    @Test
    void shouldMatchMethodsCaseInsensitivelyWhenGiven() {
        RouteMatch reads = RouteMatch.builder().methods("get", "HEAD").build();

        assertThat(reads.matches(TestRequest.get("/"))).isTrue();
        assertThat(reads.matches(TestRequest.get("/").withMethod("HEAD"))).isTrue();
        assertThat(reads.matches(TestRequest.get("/").withMethod("POST"))).isFalse();
    }

    @Test
    void shouldMatchExactPrefixAndRegexPaths() {
        assertThat(PathMatch.exact("/v1/items").matches("/v1/items")).isTrue();
        assertThat(PathMatch.exact("/v1/items").matches("/v1/items/7")).isFalse();
        assertThat(PathMatch.prefix("/v1").matches("/v1")).isTrue();
        assertThat(PathMatch.prefix("/v1").matches("/v1/items")).isTrue();
        assertThat(PathMatch.prefix("/v1").matches("/v10/items")).as("segment boundary").isFalse();
        assertThat(PathMatch.prefix("/v1/").matches("/v1/items")).isTrue();
        assertThat(PathMatch.regex("/v[0-9]+/items/\\d+").matches("/v2/items/42")).isTrue();
        assertThat(PathMatch.regex("/v[0-9]+/items/\\d+").matches("/v2/items/42/x")).as("whole path").isFalse();
    }

    @Test
    void shouldRequireEveryHeaderAndQueryCondition() {
        RouteMatch match = RouteMatch.builder()
                .header("X-Canary", ValueMatch.exact("true"))
                .header("x-user", ValueMatch.regex("u-[0-9]+"))
                .queryParameter("debug", ValueMatch.present())
                .build();
        TestRequest all = TestRequest.get("/").withHeader("x-canary", "true").withHeader("X-User", "u-17")
                .withQuery("debug", "");

        assertThat(match.matches(all)).isTrue();
        assertThat(match.matches(all.withHeader("x-canary", "false"))).isFalse();
        assertThat(match.matches(all.withHeader("x-user", "admin"))).isFalse();
        assertThat(match.matches(TestRequest.get("/").withHeader("x-canary", "true").withHeader("x-user", "u-1")))
                .as("query parameter absent").isFalse();
    }

    @Test
    void shouldNameFieldWhenConditionIsInvalid() {
        assertThatThrownBy(() -> PathMatch.prefix("v1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("path: 'v1'");
        assertThatThrownBy(() -> ValueMatch.regex("u-[")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("regex: 'u-['");
        assertThatThrownBy(() -> RouteMatch.builder().header(" ", ValueMatch.present()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("header: ''");
    }

    @Test
    void shouldSayWhetherMatchingAllocates() {
        assertThat(RouteMatch.builder().path(PathMatch.prefix("/v1")).header("x", ValueMatch.exact("y")).build()
                .allocates()).isFalse();
        assertThat(RouteMatch.builder().header("x", ValueMatch.regex("y+")).build().allocates()).isTrue();
    }
}
