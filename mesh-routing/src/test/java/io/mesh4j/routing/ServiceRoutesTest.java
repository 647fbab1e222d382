package io.mesh4j.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.ServiceInstance;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ServiceRoutesTest {

    private static final Subset V1 = Subset.builder("v1").metadata("version", "v1").build();
    private static final Subset V2 = Subset.builder("v2").metadata("version", "v2").build();

    private static ServiceRoutes.Builder orders() {
        return ServiceRoutes.builder("orders").subset(V1).subset(V2);
    }

    @Test
    void shouldTakeFirstMatchingRouteInOrderAndNoneWhenNothingMatches() {
        ServiceRoutes routes = orders()
                .route(Route.builder("testers").match(RouteMatch.builder()
                        .header("x-tester", ValueMatch.present()).build()).to("v2").build())
                .route(Route.builder("items").match(RouteMatch.builder().path(PathMatch.prefix("/v1/items")).build())
                        .to("v1").build())
                .build();

        assertThat(routes.route(TestRequest.get("/v1/items/3").withHeader("x-tester", "1")).name())
                .isEqualTo("testers");
        assertThat(routes.route(TestRequest.get("/v1/items/3")).name()).isEqualTo("items");
        assertThat(routes.route(TestRequest.get("/v2/carts"))).isNull();
    }

    @Test
    void shouldSelectInstancesByTagsAndByMetadata() {
        ServiceInstance v1 = ServiceInstance.builder("orders", "10.0.0.1", 80).metadata("version", "v1").build();
        ServiceInstance v2eu = ServiceInstance.builder("orders", "10.0.0.2", 80).metadata("version", "v2")
                .tags("eu", "fast").build();
        Subset fastEu = Subset.builder("fast-eu").tags("eu", "fast").build();

        assertThat(V1.selects(v1)).isTrue();
        assertThat(V1.selects(v2eu)).isFalse();
        assertThat(V2.selects(v2eu)).isTrue();
        assertThat(fastEu.selects(v2eu)).isTrue();
        assertThat(fastEu.selects(v1)).isFalse();
        assertThat(Subset.builder("all").build().selects(v1)).isTrue();
    }

    @Test
    void shouldSplitNinetyTenWithinOneAndAHalfPointsOverTenThousandCalls() {
        Route canary = Route.builder("canary").split("v1", 90).split("v2", 10).build();
        SplittableRandom random = new SplittableRandom(7);
        Map<String, Integer> counts = new HashMap<>();

        for (int i = 0; i < 10_000; i++) {
            counts.merge(canary.pickSubset(TestRequest.get("/"), random.nextLong()), 1, Integer::sum);
        }

        assertThat(counts.get("v2") / 100.0).isBetween(8.5, 11.5);
        assertThat(counts.get("v1") + counts.get("v2")).isEqualTo(10_000);
    }

    @Test
    void shouldKeepEachStickyKeyOnOneSideAndSplitTheKeysByWeight() {
        Route canary = Route.builder("canary").split("v1", 90).split("v2", 10).stickyOn("x-user-id").build();
        SplittableRandom random = new SplittableRandom(11);
        int onV2 = 0;

        for (int user = 0; user < 10_000; user++) {
            TestRequest request = TestRequest.get("/").withHeader("x-user-id", "user-" + user);
            String first = canary.pickSubset(request, random.nextLong());
            for (int again = 0; again < 3; again++) {
                assertThat(canary.pickSubset(request, random.nextLong())).isEqualTo(first);
            }
            onV2 += first.equals("v2") ? 1 : 0;
        }

        assertThat(onV2 / 100.0).as("share of users on v2, percent").isBetween(8.5, 11.5);
    }

    @Test
    void shouldNameRouteAndSubsetWhenReferenceIsUndeclared() {
        assertThatThrownBy(() -> orders().route(Route.builder("r").to("v3").build()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("route 'r' of service 'orders': subset 'v3'");
        assertThatThrownBy(() -> orders().fallbackSubset("v9").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("fallbackSubset: 'v9'");
        assertThatThrownBy(() -> orders().subset(V1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("declared twice");
        assertThatThrownBy(() -> Route.builder("r").split("v1", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("weight: 0 (expected: 1 to 10000)");
        assertThatThrownBy(() -> Route.builder("r").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no destination");
        assertThatThrownBy(() -> ServiceRoutes.builder("not a host!")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldReportWeightsOfASplit() {
        Route canary = Route.builder("canary").split("v1", 90).split("v2", 10).build();

        assertThat(canary.subsets()).containsExactly("v1", "v2");
        assertThat(canary.weight("v1")).isEqualTo(90);
        assertThat(canary.weight("v2")).isEqualTo(10);
        assertThat(canary.weight("v3")).isZero();
    }
}
