package io.mesh4j.lb.internal;

import static io.mesh4j.lb.internal.TestBalancers.counts;
import static io.mesh4j.lb.internal.TestBalancers.instances;
import static io.mesh4j.lb.internal.TestBalancers.pickId;
import static io.mesh4j.lb.internal.TestBalancers.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.lb.Algorithm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedAndRandomSelectionTest {

    private final TestBalancers test = new TestBalancers();

    @Test
    void shouldSpreadUniformlyWhenRandom() {
        MeshLoadBalancer balancer = test.balancer(test.config().algorithm(Algorithm.RANDOM).build(),
                instances("a", "b", "c", "d"));

        Map<String, Integer> counts = counts(balancer, 40_000);

        assertThat(counts).hasSize(4);
        counts.values().forEach(count -> assertThat(count).isBetween(9_500, 10_500));
    }

    @Test
    void shouldFollowWeightsExactlyAndInterleaveWhenWeighted() {
        MeshLoadBalancer balancer = test.balancer(test.config().algorithm(Algorithm.WEIGHTED_ROUND_ROBIN).build(),
                List.of(weighted("a", 10), weighted("b", 20), weighted("c", 30)));

        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            picks.add(pickId(balancer.picker()));
        }

        assertThat(picks.stream().filter("a"::equals).count()).isEqualTo(100);
        assertThat(picks.stream().filter("b"::equals).count()).isEqualTo(200);
        assertThat(picks.stream().filter("c"::equals).count()).isEqualTo(300);
        int longestRun = 1;
        int run = 1;
        for (int i = 1; i < picks.size(); i++) {
            run = picks.get(i).equals(picks.get(i - 1)) ? run + 1 : 1;
            longestRun = Math.max(longestRun, run);
        }
        assertThat(longestRun).as("heaviest instance never gets its share in a burst").isLessThanOrEqualTo(2);
    }

    @Test
    void shouldServeInstancesInOrderOfTheirNextDeadlineWhenWeighted() {
        int[] weights = {3, 5, 7, 2, 7, 1};
        List<io.mesh4j.api.ServiceInstance> list = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            list.add(weighted("i" + i, weights[i]));
        }
        MeshLoadBalancer balancer = test.balancer(test.config().algorithm(Algorithm.WEIGHTED_ROUND_ROBIN).build(),
                list);
        int cycle = java.util.Arrays.stream(weights).sum();

        int[] served = new int[weights.length];
        double lastDeadline = 0;
        int lastIndex = -1;
        for (int pick = 0; pick < cycle; pick++) {
            int index = Integer.parseInt(pickId(balancer.picker()).substring(1));
            served[index]++;
            double deadline = (double) served[index] / weights[index];
            assertThat(deadline > lastDeadline || deadline == lastDeadline && index > lastIndex)
                    .as("pick %d: instance %d at deadline %s after instance %d at %s", pick, index, deadline,
                            lastIndex, lastDeadline)
                    .isTrue();
            lastDeadline = deadline;
            lastIndex = index;
        }
        assertThat(served).containsExactly(weights);
        assertThat(pickId(balancer.picker())).as("the next cycle starts over").isEqualTo("i2");
    }

    @Test
    void shouldScaleWeightsDownWhenTheirSumIsHuge() {
        BalancedEndpoint[] endpoints = new BalancedEndpoint[3];
        MeshLoadBalancer balancer = test.balancer(test.config().algorithm(Algorithm.WEIGHTED_ROUND_ROBIN).build(),
                List.of(weighted("a", 65_535), weighted("b", 65_535), weighted("c", 1)));
        balancer.endpoints().toArray(endpoints);

        int[] scaled = Selectors.scaledWeights(endpoints);

        assertThat(scaled[0] + scaled[1] + scaled[2]).isLessThanOrEqualTo(Selectors.MAX_SCHEDULE + 1);
        assertThat(scaled[2]).isEqualTo(1);
        assertThat(scaled[0]).isEqualTo(scaled[1]);
    }

    @Test
    void shouldDivideByCommonDivisorWhenScalingWeights() {
        BalancedEndpoint[] endpoints = new BalancedEndpoint[2];
        test.balancer(test.config().build(), List.of(weighted("a", 300), weighted("b", 600))).endpoints()
                .toArray(endpoints);

        assertThat(Selectors.scaledWeights(endpoints)).containsExactly(1, 2);
    }
}
