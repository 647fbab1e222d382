package io.mesh4j.lb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.RequestContext;
import io.mesh4j.lb.Algorithm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RingHashSelectionTest {

    private static final int KEYS = 20_000;

    private final TestBalancers test = new TestBalancers();

    private MeshLoadBalancer ringHash(List<ServiceInstance> instances) {
        return test.balancer(test.config().algorithm(Algorithm.RING_HASH).build(), instances);
    }

    private static List<ServiceInstance> instances(int count) {
        List<ServiceInstance> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(TestBalancers.instance("orders-" + i));
        }
        return list;
    }

    private static String pick(MeshLoadBalancer balancer, String key) {
        return balancer.picker().pick(RequestContext.of("orders", "GET", "/", key, 1, List.of())).instance().id();
    }

    private static Map<String, String> assign(MeshLoadBalancer balancer) {
        Map<String, String> owners = new HashMap<>();
        for (int k = 0; k < KEYS; k++) {
            owners.put("user-" + k, pick(balancer, "user-" + k));
        }
        return owners;
    }

    @Test
    void shouldSendSameKeyToSameInstanceWhenPickedAgain() {
        MeshLoadBalancer balancer = ringHash(instances(5));

        String owner = pick(balancer, "user-42");

        for (int i = 0; i < 50; i++) {
            assertThat(pick(balancer, "user-42")).isEqualTo(owner);
        }
    }

    @Test
    void shouldSpreadKeysRoughlyEvenlyWhenWeightsAreEqual() {
        Map<String, Integer> counts = new HashMap<>();
        assign(ringHash(instances(10))).values().forEach(id -> counts.merge(id, 1, Integer::sum));

        assertThat(counts).hasSize(10);
        counts.values().forEach(count -> assertThat(count).isBetween(KEYS / 10 / 2, KEYS / 10 * 3 / 2));
    }

    @Test
    void shouldMoveAboutOneNthOfKeysWhenOneOfNInstancesLeaves() {
        List<ServiceInstance> all = instances(10);
        MeshLoadBalancer balancer = ringHash(all);
        Map<String, String> before = assign(balancer);

        balancer.updateInstances(all.subList(1, 10));
        Map<String, String> after = assign(balancer);

        long moved = before.keySet().stream().filter(k -> !before.get(k).equals(after.get(k))).count();
        long onLeaver = before.values().stream().filter("orders-0"::equals).count();
        assertThat(moved).as("only the leaver's keys move").isEqualTo(onLeaver);
        assertThat((double) moved / KEYS).isBetween(0.05, 0.15);
    }

    @Test
    void shouldGiveHeavierInstanceMoreRingPointsWhenWeighted() {
        MeshLoadBalancer balancer = ringHash(List.of(TestBalancers.weighted("light", 1),
                TestBalancers.weighted("heavy", 3)));
        Map<String, Integer> counts = new HashMap<>();
        assign(balancer).values().forEach(id -> counts.merge(id, 1, Integer::sum));

        assertThat((double) counts.get("heavy") / KEYS).isBetween(0.65, 0.85);
    }

    @Test
    void shouldSpreadAtRandomWhenRequestHasNoKey() {
        MeshLoadBalancer balancer = ringHash(instances(4));

        Map<String, Integer> counts = TestBalancers.counts(balancer, 4_000);

        assertThat(counts).hasSize(4);
        counts.values().forEach(count -> assertThat(count).isBetween(800, 1_200));
    }
}
