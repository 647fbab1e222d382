package io.mesh4j.lb.internal;

import static io.mesh4j.lb.internal.TestBalancers.counts;
import static io.mesh4j.lb.internal.TestBalancers.instances;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.lb.Algorithm;
import org.junit.jupiter.api.Test;

class ActiveHealthSelectionTest {

    private final TestBalancers test = new TestBalancers();

    @Test
    void shouldSkipInstanceWhileMarkedUnhealthyByActiveChecks() {
        MeshLoadBalancer balancer = test.balancer(test.config().algorithm(Algorithm.ROUND_ROBIN).build(),
                instances("a", "b", "c"));

        balancer.updateHealth("a", false);
        assertThat(counts(balancer, 300)).containsOnlyKeys("b", "c");

        balancer.updateInstances(instances("a", "b", "c", "d"));
        assertThat(counts(balancer, 300)).containsOnlyKeys("b", "c", "d");

        balancer.updateHealth("a", true);
        assertThat(counts(balancer, 400)).containsOnlyKeys("a", "b", "c", "d");
    }

    @Test
    void shouldPanicWhenActiveChecksFailTooMany() {
        MeshLoadBalancer balancer = test.balancer(test.config().algorithm(Algorithm.ROUND_ROBIN).build(),
                instances("a", "b", "c"));

        balancer.updateHealth("a", false);
        balancer.updateHealth("b", false);
        balancer.updateHealth("unknown", false);

        assertThat(counts(balancer, 300)).containsOnlyKeys("a", "b", "c");
    }
}
