package io.mesh4j.lb.internal;

import static io.mesh4j.lb.internal.TestBalancers.counts;
import static io.mesh4j.lb.internal.TestBalancers.instance;
import static io.mesh4j.lb.internal.TestBalancers.instances;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.BalancerConfig;
import io.mesh4j.lb.OutlierEjectionConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Outlier ejection, panic threshold, slow start and zones, on a hand-driven clock. */
class HealthSelectionTest {

    private final TestBalancers test = new TestBalancers();

    private BalancerConfig.Builder roundRobin(int maxEjectedPercent) {
        return test.config().algorithm(Algorithm.ROUND_ROBIN).outlierEjection(OutlierEjectionConfig.custom()
                .consecutiveFailures(5)
                .baseEjectionTime(Duration.ofSeconds(30))
                .maxEjectionTime(Duration.ofSeconds(300))
                .maxEjectedPercent(maxEjectedPercent)
                .build());
    }

    @Test
    void shouldEjectAfterConsecutiveFailuresAndReturnAfterEjectionTime() {
        MeshLoadBalancer balancer = test.balancer(roundRobin(100).build(), instances("a", "b", "c", "d"));

        test.report(balancer, "a", 4, AttemptOutcome.CONNECT_FAILURE);
        assertThat(counts(balancer, 400)).containsKey("a");
        test.report(balancer, "a", 1, AttemptOutcome.SERVER_ERROR);
        assertThat(counts(balancer, 400)).doesNotContainKey("a");

        test.advance(Duration.ofSeconds(29));
        assertThat(counts(balancer, 400)).doesNotContainKey("a");
        test.advance(Duration.ofSeconds(1));
        assertThat(counts(balancer, 400)).containsEntry("a", 100);
    }

    @Test
    void shouldEjectLongerEachTimeWhenInstanceKeepsFailing() {
        MeshLoadBalancer balancer = test.balancer(roundRobin(100).build(), instances("a", "b", "c", "d"));
        test.report(balancer, "a", 5, AttemptOutcome.TIMEOUT);
        test.advance(Duration.ofSeconds(30));
        assertThat(counts(balancer, 4)).containsKey("a");

        test.report(balancer, "a", 5, AttemptOutcome.TIMEOUT);
        test.advance(Duration.ofSeconds(59));
        assertThat(counts(balancer, 400)).doesNotContainKey("a");
        test.advance(Duration.ofSeconds(1));
        assertThat(counts(balancer, 400)).containsKey("a");

        test.report(balancer, "a", 5, AttemptOutcome.TIMEOUT);
        test.advance(Duration.ofSeconds(89));
        assertThat(counts(balancer, 400)).doesNotContainKey("a");
        test.advance(Duration.ofSeconds(1));
        assertThat(counts(balancer, 400)).containsKey("a");
    }

    @Test
    void shouldEjectInstanceWithOutlyingSuccessRateWhenIntervalEnds() {
        MeshLoadBalancer balancer = test.balancer(test.config().algorithm(Algorithm.ROUND_ROBIN)
                .outlierEjection(OutlierEjectionConfig.custom()
                        .consecutiveFailures(1_000)
                        .maxEjectedPercent(50)
                        .successRateInterval(Duration.ofSeconds(10))
                        .successRateMinimumHosts(5)
                        .successRateRequestVolume(100)
                        .build())
                .build(), instances("a", "b", "c", "d", "e", "f"));
        for (String id : List.of("a", "b", "c", "d", "e")) {
            test.report(balancer, id, 95, AttemptOutcome.SUCCESS);
            test.report(balancer, id, 5, AttemptOutcome.SERVER_ERROR);
        }
        for (int i = 0; i < 50; i++) {
            test.report(balancer, "f", 1, AttemptOutcome.SUCCESS);
            test.report(balancer, "f", 1, AttemptOutcome.SERVER_ERROR);
        }
        assertThat(counts(balancer, 60)).containsKey("f");

        test.advance(Duration.ofSeconds(10));
        test.report(balancer, "a", 1, AttemptOutcome.SUCCESS);

        assertThat(counts(balancer, 60)).doesNotContainKey("f").hasSize(5);
    }

    @Test
    void shouldNotCompareSuccessRatesWhenTooFewInstancesQualify() {
        MeshLoadBalancer balancer = test.balancer(test.config().algorithm(Algorithm.ROUND_ROBIN)
                .outlierEjection(OutlierEjectionConfig.custom().consecutiveFailures(1_000).maxEjectedPercent(50)
                        .successRateInterval(Duration.ofSeconds(10)).build())
                .build(), instances("a", "b", "c", "d", "e", "f"));
        test.report(balancer, "a", 100, AttemptOutcome.SUCCESS);
        test.report(balancer, "f", 100, AttemptOutcome.SERVER_ERROR);

        test.advance(Duration.ofSeconds(10));
        test.report(balancer, "a", 1, AttemptOutcome.SUCCESS);

        assertThat(counts(balancer, 60)).containsKey("f");
    }

    @Test
    void shouldCountHealthyAndEjectedWhenReportingStats() {
        MeshLoadBalancer balancer = test.balancer(roundRobin(100).build(), instances("a", "b", "c", "d"));
        test.report(balancer, "a", 5, AttemptOutcome.CONNECT_FAILURE);
        balancer.updateHealth("b", false);

        assertThat(balancer.stats().toString())
                .isEqualTo("BalancerStats{instances=4, healthy=2, ejected=1, failingHealthChecks=1}");
    }

    @Test
    void shouldNotEjectWhenFailuresAreInterruptedBySuccess() {
        MeshLoadBalancer balancer = test.balancer(roundRobin(100).build(), instances("a", "b"));

        test.report(balancer, "a", 4, AttemptOutcome.SERVER_ERROR);
        test.report(balancer, "a", 1, AttemptOutcome.SUCCESS);
        test.report(balancer, "a", 4, AttemptOutcome.SERVER_ERROR);
        test.report(balancer, "a", 3, AttemptOutcome.CANCELLED);

        assertThat(counts(balancer, 10)).containsEntry("a", 5);
    }

    @Test
    void shouldCapEjectedShareWhenManyInstancesFail() {
        MeshLoadBalancer balancer = test.balancer(roundRobin(25).build(), instances("a", "b", "c", "d"));

        test.report(balancer, "a", 5, AttemptOutcome.CONNECT_FAILURE);
        test.report(balancer, "b", 5, AttemptOutcome.CONNECT_FAILURE);

        Map<String, Integer> counts = counts(balancer, 300);
        assertThat(counts).doesNotContainKey("a").containsEntry("b", 100);
    }

    @Test
    void shouldAlwaysAllowOneEjectionWhenCapRoundsToZero() {
        MeshLoadBalancer balancer = test.balancer(roundRobin(10).build(), instances("a", "b", "c"));

        test.report(balancer, "a", 5, AttemptOutcome.CONNECT_FAILURE);

        assertThat(counts(balancer, 100)).doesNotContainKey("a");
    }

    @Test
    void shouldBalanceOverAllWhenTooFewAreHealthy() {
        MeshLoadBalancer balancer = test.balancer(roundRobin(100).build(), instances("a", "b", "c", "d"));
        test.report(balancer, "a", 5, AttemptOutcome.CONNECT_FAILURE);
        test.report(balancer, "b", 5, AttemptOutcome.CONNECT_FAILURE);
        assertThat(counts(balancer, 400)).containsOnlyKeys("c", "d");

        test.report(balancer, "c", 5, AttemptOutcome.CONNECT_FAILURE);

        assertThat(counts(balancer, 400)).containsOnlyKeys("a", "b", "c", "d");
    }

    @Test
    void shouldNeverPanicWhenThresholdIsZero() {
        MeshLoadBalancer balancer = test.balancer(roundRobin(100).panicThresholdPercent(0).build(),
                instances("a", "b", "c", "d"));
        test.report(balancer, "a", 5, AttemptOutcome.CONNECT_FAILURE);
        test.report(balancer, "b", 5, AttemptOutcome.CONNECT_FAILURE);
        test.report(balancer, "c", 5, AttemptOutcome.CONNECT_FAILURE);

        assertThat(counts(balancer, 100)).containsOnlyKeys("d");
    }

    @Test
    void shouldRampNewInstanceOverSlowStartWindow() {
        MeshLoadBalancer balancer = test.balancer(roundRobin(100).slowStartWindow(Duration.ofSeconds(100))
                .slowStartMinWeightPercent(10).build(), instances("a", "b", "c"));
        balancer.updateInstances(instances("a", "b", "c", "d"));

        double start = share(balancer, "d");
        test.advance(Duration.ofSeconds(50));
        double middle = share(balancer, "d");
        test.advance(Duration.ofSeconds(50));
        double end = share(balancer, "d");

        assertThat(start).isBetween(0.005, 0.08);
        assertThat(middle).isBetween(start + 0.05, 0.22);
        assertThat(end).isBetween(0.24, 0.26);
    }

    @Test
    void shouldRampInstanceReturningFromEjection() {
        MeshLoadBalancer balancer = test.balancer(roundRobin(100).slowStartWindow(Duration.ofSeconds(100)).build(),
                instances("a", "b", "c", "d"));
        assertThat(share(balancer, "d")).isEqualTo(0.25);

        test.report(balancer, "d", 5, AttemptOutcome.CONNECT_FAILURE);
        test.advance(Duration.ofSeconds(30));

        assertThat(share(balancer, "d")).isBetween(0.005, 0.08);
    }

    private static double share(MeshLoadBalancer balancer, String id) {
        return counts(balancer, 20_000).getOrDefault(id, 0) / 20_000.0;
    }

    @Test
    void shouldStayInLocalZoneWhileEnoughOfItIsHealthy() {
        List<ServiceInstance> instances = List.of(instance("a1", "a"), instance("a2", "a"), instance("a3", "a"),
                instance("b1", "b"), instance("b2", "b"), instance("b3", "b"));
        MeshLoadBalancer balancer = test.balancer(roundRobin(100).localZone("a").minLocalHealthyPercent(60).build(),
                instances);
        assertThat(counts(balancer, 300)).containsOnlyKeys("a1", "a2", "a3");

        test.report(balancer, "a1", 5, AttemptOutcome.CONNECT_FAILURE);
        assertThat(counts(balancer, 300)).containsOnlyKeys("a2", "a3");

        test.report(balancer, "a2", 5, AttemptOutcome.CONNECT_FAILURE);
        assertThat(counts(balancer, 400)).containsOnlyKeys("a3", "b1", "b2", "b3");
    }

    @Test
    void shouldUseAllZonesWhenLocalZoneHasNoInstance() {
        MeshLoadBalancer balancer = test.balancer(roundRobin(100).localZone("c").build(),
                List.of(instance("a1", "a"), instance("b1", "b")));

        assertThat(counts(balancer, 10)).containsOnlyKeys("a1", "b1");
    }
}
