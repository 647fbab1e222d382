package io.mesh4j.lb.internal;

import static io.mesh4j.lb.internal.TestBalancers.FIRST_ATTEMPT;
import static io.mesh4j.lb.internal.TestBalancers.counts;
import static io.mesh4j.lb.internal.TestBalancers.endpoint;
import static io.mesh4j.lb.internal.TestBalancers.instances;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.RequestContext;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.OutlierEjectionConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Least request and peak-EWMA, driven by a hand-moved clock: every attempt "takes" its latency. */
class LatencyAwareSelectionTest {

    private final TestBalancers test = new TestBalancers();

    private MeshLoadBalancer peakEwma() {
        return test.balancer(test.config().algorithm(Algorithm.PEAK_EWMA)
                .outlierEjection(OutlierEjectionConfig.disabled()).build(), instances("a", "b", "c", "d"));
    }

    /** Sends {@code count} sequential attempts; each advances the clock by the picked instance's latency. */
    private Map<String, Integer> run(MeshLoadBalancer balancer, int count, Function<String, Duration> latency,
            Function<String, AttemptOutcome> outcome) {
        Map<String, Integer> picks = new HashMap<>();
        for (int i = 0; i < count; i++) {
            Endpoint endpoint = balancer.picker().pick(FIRST_ATTEMPT);
            String id = endpoint.instance().id();
            picks.merge(id, 1, Integer::sum);
            endpoint.onAttemptStart();
            Duration took = latency.apply(id);
            test.advance(took);
            endpoint.onAttemptEnd(test.now.get(), took.toNanos(), outcome.apply(id));
        }
        return picks;
    }

    private static Duration slowA(String id) {
        return id.equals("a") ? Duration.ofMillis(100) : Duration.ofMillis(5);
    }

    @Test
    void shouldAvoidInstanceWithRequestsInFlightWhenLeastRequest() {
        MeshLoadBalancer balancer = test.balancer(test.config().algorithm(Algorithm.LEAST_REQUEST).build(),
                instances("a", "b", "c"));
        Endpoint busy = endpoint(balancer, "a");
        for (int i = 0; i < 5; i++) {
            busy.onAttemptStart();
        }

        Map<String, Integer> counts = counts(balancer, 1_000);

        assertThat(counts).doesNotContainKey("a");
        assertThat(counts.get("b") + counts.get("c")).isEqualTo(1_000);
    }

    @Test
    void shouldSayItWeighsLatencyOnlyWhenPeakEwma() {
        assertThat(peakEwma().weighsLatency()).isTrue();
        for (Algorithm algorithm : Algorithm.values()) {
            assertThat(test.balancer(test.config().algorithm(algorithm).build(), instances("a")).weighsLatency())
                    .as("%s", algorithm).isEqualTo(algorithm == Algorithm.PEAK_EWMA);
        }
    }

    @Test
    void shouldStarveSlowInstanceWithinAFewRequestsWhenPeakEwma() {
        MeshLoadBalancer balancer = peakEwma();

        Map<String, Integer> first = run(balancer, 20, LatencyAwareSelectionTest::slowA, id -> AttemptOutcome.SUCCESS);
        Map<String, Integer> next = run(balancer, 1_000, LatencyAwareSelectionTest::slowA,
                id -> AttemptOutcome.SUCCESS);

        assertThat(first.getOrDefault("a", 0)).isLessThanOrEqualTo(3);
        assertThat(next.getOrDefault("a", 0)).isLessThan(100);
    }

    @Test
    void shouldSendTrafficBackWhenSlowInstanceSpeedsUp() {
        MeshLoadBalancer balancer = peakEwma();
        run(balancer, 500, LatencyAwareSelectionTest::slowA, id -> AttemptOutcome.SUCCESS);

        test.advance(Duration.ofSeconds(60));
        Map<String, Integer> recovered = run(balancer, 2_000, id -> Duration.ofMillis(5),
                id -> AttemptOutcome.SUCCESS);

        assertThat(recovered.getOrDefault("a", 0)).isBetween(300, 700);
    }

    @Test
    void shouldProbeRecoveredInstanceWithinProbeIntervalWhenItsEstimateIsStale() {
        MeshLoadBalancer balancer = peakEwma();
        run(balancer, 500, LatencyAwareSelectionTest::slowA, id -> AttemptOutcome.SUCCESS);

        // 5 ms calls: 1 s is 200 of them. The probe's 5 ms sample then puts "a" back among its peers at once.
        Map<String, Integer> firstTwoSeconds = run(balancer, 400, id -> Duration.ofMillis(5),
                id -> AttemptOutcome.SUCCESS);
        Map<String, Integer> after = run(balancer, 2_000, id -> Duration.ofMillis(5), id -> AttemptOutcome.SUCCESS);

        assertThat(firstTwoSeconds.getOrDefault("a", 0)).isPositive();
        assertThat(after.getOrDefault("a", 0)).isBetween(300, 700);
    }

    @Test
    void shouldKeepRecoveredInstanceWaitingForItsEstimateToDecayWhenProbingIsOff() {
        MeshLoadBalancer balancer = test.balancer(test.config().algorithm(Algorithm.PEAK_EWMA)
                .latencyProbeInterval(Duration.ZERO).outlierEjection(OutlierEjectionConfig.disabled()).build(),
                instances("a", "b", "c", "d"));
        run(balancer, 500, LatencyAwareSelectionTest::slowA, id -> AttemptOutcome.SUCCESS);

        // 100 ms against 5 ms decays below its peers only after ln(20) decay times, 30 s: 6,000 calls of 5 ms.
        Map<String, Integer> tenSeconds = run(balancer, 2_000, id -> Duration.ofMillis(5),
                id -> AttemptOutcome.SUCCESS);

        assertThat(tenSeconds).doesNotContainKey("a");
    }

    @Test
    void shouldProbeSlowInstanceAboutOncePerIntervalWhenItStaysSlow() {
        MeshLoadBalancer balancer = peakEwma();
        run(balancer, 500, LatencyAwareSelectionTest::slowA, id -> AttemptOutcome.SUCCESS);
        long start = test.now.get();

        Map<String, Integer> picks = run(balancer, 4_000, LatencyAwareSelectionTest::slowA,
                id -> AttemptOutcome.SUCCESS);

        double seconds = (test.now.get() - start) / 1e9;
        assertThat(picks.getOrDefault("a", 0)).as("probes of the slow instance in %.1f s", seconds)
                .isBetween((int) (seconds / 2), (int) seconds + 1);
    }

    @Test
    void shouldAskToMeasureAttemptToEndWhenPickingInstanceWithoutEstimate() {
        MeshLoadBalancer balancer = peakEwma();
        MeasureRequests fresh = new MeasureRequests();
        assertThat(balancer.picker().pick(fresh)).isNotNull();
        assertThat(fresh.asked).as("a pick of an instance never measured").isTrue();
        run(balancer, 500, LatencyAwareSelectionTest::slowA, id -> AttemptOutcome.SUCCESS);

        Map<String, Integer> picks = new HashMap<>();
        Map<String, Integer> asked = new HashMap<>();
        for (int i = 0; i < 4_000; i++) {
            MeasureRequests context = new MeasureRequests();
            Endpoint endpoint = balancer.picker().pick(context);
            String id = endpoint.instance().id();
            picks.merge(id, 1, Integer::sum);
            if (context.asked) {
                asked.merge(id, 1, Integer::sum);
            }
            endpoint.onAttemptStart();
            Duration took = slowA(id);
            test.advance(took);
            endpoint.onAttemptEnd(test.now.get(), took.toNanos(), AttemptOutcome.SUCCESS);
        }

        // Every pick of the slow instance is a probe of its stale estimate; the others are picked on their estimates.
        assertThat(picks.get("a")).isPositive();
        assertThat(asked).containsOnlyKeys("a").containsEntry("a", picks.get("a"));
    }

    /** A first attempt's context that remembers whether the picker asked to measure its attempt to the end. */
    private static final class MeasureRequests implements RequestContext {
        boolean asked;

        @Override
        public void measureToEnd() {
            asked = true;
        }

        @Override
        public String service() {
            return "orders";
        }

        @Override
        public String method() {
            return "GET";
        }

        @Override
        public String path() {
            return "/";
        }

        @Override
        public String hashKey() {
            return null;
        }

        @Override
        public int attempt() {
            return 1;
        }

        @Override
        public List<ServiceInstance> triedInstances() {
            return List.of();
        }
    }

    @Test
    void shouldNotProbeInstanceWithAttemptsInFlightWhenItsEstimateIsStale() {
        MeshLoadBalancer balancer = peakEwma();
        run(balancer, 500, LatencyAwareSelectionTest::slowA, id -> AttemptOutcome.SUCCESS);
        endpoint(balancer, "a").onAttemptStart();

        Map<String, Integer> picks = run(balancer, 1_000, id -> Duration.ofMillis(5), id -> AttemptOutcome.SUCCESS);

        assertThat(picks).as("a hung instance gets no more requests").doesNotContainKey("a");
    }

    @Test
    void shouldPenalizeFastFailuresWhenPeakEwma() {
        MeshLoadBalancer balancer = peakEwma();

        Map<String, Integer> picks = run(balancer, 1_000,
                id -> id.equals("a") ? Duration.ofMillis(1) : Duration.ofMillis(10),
                id -> id.equals("a") ? AttemptOutcome.SERVER_ERROR : AttemptOutcome.SUCCESS);

        assertThat(picks.getOrDefault("a", 0)).isLessThan(100);
    }

    @Test
    void shouldKeepFailedInstanceOutForPenaltyWindowThenSendItTrafficWhenPeakEwma() {
        MeshLoadBalancer balancer = peakEwma();
        run(balancer, 200, id -> Duration.ofMillis(5), id -> AttemptOutcome.SUCCESS);
        test.report(balancer, "a", 3, AttemptOutcome.CONNECT_FAILURE);

        Map<String, Integer> during = run(balancer, 300, id -> Duration.ofMillis(5), id -> AttemptOutcome.SUCCESS);
        Map<String, Integer> after = run(balancer, 400, id -> Duration.ofMillis(5), id -> AttemptOutcome.SUCCESS);

        assertThat(during).as("1.5 s into the default 2 s window").doesNotContainKey("a");
        assertThat(after.getOrDefault("a", 0)).as("from 1.5 s to 3.5 s").isGreaterThan(50);
    }

    @Test
    void shouldFadePenaltyLinearlyOverWindowWhenInstanceFailed() {
        MeshLoadBalancer balancer = test.balancer(test.config().algorithm(Algorithm.PEAK_EWMA)
                .failurePenalty(Duration.ofMillis(800)).failurePenaltyWindow(Duration.ofSeconds(4))
                .outlierEjection(OutlierEjectionConfig.disabled()).build(), instances("a"));
        BalancedEndpoint endpoint = endpoint(balancer, "a");
        long failedAt = test.now.get();
        endpoint.onAttemptStart();
        endpoint.onAttemptEnd(failedAt, 0, AttemptOutcome.NETWORK_FAILURE);

        assertThat(endpoint.load(failedAt)).isCloseTo(800_000_000.0, Offset.offset(1.0));
        assertThat(endpoint.load(failedAt + Duration.ofSeconds(1).toNanos()))
                .isCloseTo(600_000_000.0, Offset.offset(1.0));
        assertThat(endpoint.load(failedAt + Duration.ofSeconds(3).toNanos()))
                .isCloseTo(200_000_000.0, Offset.offset(1.0));
        assertThat(endpoint.load(failedAt + Duration.ofSeconds(4).toNanos())).isZero();
    }

    @Test
    void shouldTrackPeakAndDecayWhenObservingSamples() {
        MeshLoadBalancer balancer = peakEwma();
        BalancedEndpoint endpoint = endpoint(balancer, "a");
        long t0 = test.now.get();

        endpoint.observe(10_000_000, t0 + 1);
        endpoint.observe(50_000_000, t0 + 2);

        assertThat(endpoint.cost(t0 + 2)).isEqualTo(50_000_000.0);
        assertThat(endpoint.cost(t0 + 2 + Duration.ofSeconds(10).toNanos()))
                .isCloseTo(50_000_000 / Math.E, Offset.offset(1.0));
        endpoint.observe(10_000_000, t0 + 2 + Duration.ofSeconds(10).toNanos());
        double expected = 50_000_000 / Math.E + 10_000_000 * (1 - 1 / Math.E);
        assertThat(endpoint.cost(t0 + 2 + Duration.ofSeconds(10).toNanos()))
                .isCloseTo(expected, Offset.offset(1.0));
    }

    @Test
    void shouldKeepSlowEstimateWhenAttemptsToItAreCutShortForHedges() {
        MeshLoadBalancer balancer = peakEwma();
        BalancedEndpoint slow = endpoint(balancer, "a");
        BalancedEndpoint fast = endpoint(balancer, "b");
        long now = test.now.get();
        slow.observe(20_000_000, now);
        fast.observe(1_000_000, now);
        for (int cut = 0; cut < 64; cut++) {
            now += 100_000;
            // Given up once a hedge answered: the slow instance had taken at least 3 ms by then.
            slow.onAttemptStart();
            slow.onAttemptEnd(now, 3_000_000, AttemptOutcome.ABANDONED);
            fast.observe(1_000_000, now);
        }

        assertThat(slow.cost(now)).isGreaterThan(19_000_000.0);
        assertLighter(fast, slow);
    }

    @Test
    void shouldRaiseEstimateWhenAnAttemptIsCutShortAfterMoreThanIt() {
        MeshLoadBalancer balancer = peakEwma();
        BalancedEndpoint endpoint = endpoint(balancer, "a");
        long now = test.now.get();
        endpoint.observe(1_000_000, now);

        endpoint.onAttemptStart();
        endpoint.onAttemptEnd(now + 10, 7_000_000, AttemptOutcome.ABANDONED);

        assertThat(endpoint.cost(now + 10)).isEqualTo(7_000_000.0);
    }

    @Test
    void shouldTellSlowFromFastWithinDozensOfSamplesWhenAPauseLiftedBothToOnePeak() {
        MeshLoadBalancer balancer = peakEwma();
        BalancedEndpoint fast = endpoint(balancer, "a");
        BalancedEndpoint slow = endpoint(balancer, "b");
        long now = test.now.get();
        // A pause of the caller ends every attempt in flight at about the same late moment.
        fast.observe(110_000_000, now);
        slow.observe(110_000_000, now);
        for (int sample = 0; sample < 64; sample++) {
            now += 10_000;
            fast.observe(1_000_000, now);
            if (sample % 16 == 0) {
                slow.observe(20_000_000, now);
            }
        }

        assertThat(fast.cost(now)).isLessThan(3_000_000.0);
        assertThat(slow.cost(now)).isGreaterThan(80_000_000.0);
        assertLighter(fast, slow);
    }

    @Test
    void shouldWeighEachSampleByElapsedTimeWhenSamplesAreSparse() {
        MeshLoadBalancer balancer = peakEwma();
        BalancedEndpoint endpoint = endpoint(balancer, "a");
        long t0 = test.now.get();
        endpoint.observe(40_000_000, t0);

        long later = t0 + Duration.ofSeconds(5).toNanos();
        endpoint.observe(10_000_000, later);

        double w = Math.exp(-0.5);
        assertThat(endpoint.cost(later)).isCloseTo(40_000_000 * w + 10_000_000 * (1 - w), Offset.offset(1.0));
    }

    private static void assertLighter(BalancedEndpoint lighter, BalancedEndpoint heavier) {
        assertThat(lighter.lighterThan(heavier)).as("%s lighter than %s", lighter, heavier).isTrue();
        assertThat(heavier.lighterThan(lighter)).as("%s lighter than %s", heavier, lighter).isFalse();
    }

    @Test
    void shouldCompareLoadsDecayedToOneMomentWhenSamplesAreFarApart() {
        MeshLoadBalancer balancer = test.balancer(test.config().algorithm(Algorithm.PEAK_EWMA)
                .latencyProbeInterval(Duration.ZERO).outlierEjection(OutlierEjectionConfig.disabled()).build(),
                instances("a", "b", "c", "d"));
        BalancedEndpoint older = endpoint(balancer, "a");
        BalancedEndpoint newer = endpoint(balancer, "b");
        long t0 = test.now.get();
        long later = t0 + Duration.ofSeconds(20).toNanos();

        older.observe(100_000_000, t0);
        newer.observe(20_000_000, later);

        assertThat(older.load(later)).isCloseTo(100_000_000 * Math.exp(-2), Offset.offset(1.0));
        assertLighter(older, newer);
        older.onAttemptStart();
        older.onAttemptStart();
        assertThat(older.load(later)).isGreaterThan(newer.load(later));
        assertLighter(newer, older);
    }

    @Test
    void shouldCompareEstimatesTimesInFlightWhenSamplesAreClose() {
        MeshLoadBalancer balancer = peakEwma();
        BalancedEndpoint fast = endpoint(balancer, "a");
        BalancedEndpoint slow = endpoint(balancer, "b");
        long t0 = test.now.get();

        fast.observe(10_000_000, t0);
        slow.observe(25_000_000, t0 + Duration.ofMillis(1).toNanos());

        assertLighter(fast, slow);
        fast.onAttemptStart();
        fast.onAttemptStart();
        assertLighter(slow, fast);
    }

    @Test
    void shouldCountFreshEndpointWithAttemptsInFlightAsPenaltyWhenComparing() {
        MeshLoadBalancer balancer = peakEwma();
        BalancedEndpoint fresh = endpoint(balancer, "a");
        BalancedEndpoint slowerThanPenalty = endpoint(balancer, "b");
        BalancedEndpoint fasterThanPenalty = endpoint(balancer, "c");
        slowerThanPenalty.observe(Duration.ofSeconds(2).toNanos(), test.now.get());
        fasterThanPenalty.observe(Duration.ofMillis(500).toNanos(), test.now.get());

        fresh.onAttemptStart();

        assertLighter(fresh, slowerThanPenalty);
        assertLighter(fasterThanPenalty, fresh);
    }

    @Test
    void shouldStarveSlowInstanceWhenItsAttemptsAreAbandonedForHedges() {
        MeshLoadBalancer balancer = peakEwma();

        Map<String, Integer> picks = run(balancer, 1_000, LatencyAwareSelectionTest::slowA,
                id -> id.equals("a") ? AttemptOutcome.ABANDONED : AttemptOutcome.SUCCESS);

        assertThat(picks.getOrDefault("a", 0)).isLessThan(100);
    }

    @Test
    void shouldNotCountAbandonedAttemptsAsFailuresWhenEjecting() {
        MeshLoadBalancer balancer = test.balancer(test.config().algorithm(Algorithm.ROUND_ROBIN).build(),
                instances("a", "b", "c", "d"));

        test.report(balancer, "a", 20, AttemptOutcome.ABANDONED);

        assertThat(balancer.stats().ejected()).isZero();
        assertThat(counts(balancer, 400).get("a")).isEqualTo(100);
    }
}
