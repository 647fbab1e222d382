package io.mesh4j.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HedgingPolicyTest {

    private static final long MS = 1_000_000L;

    private final AtomicLong now = new AtomicLong(7_000_000_000L);

    private RetryBudget budget(int percent, int floorPerSecond) {
        RetryConfig config = RetryConfig.custom().budgetPercent(percent).budgetMinPerSecond(floorPerSecond)
                .budgetWindow(Duration.ofSeconds(1)).build();
        return RetryBudget.create(config, now::get);
    }

    @Test
    void shouldHedgeOnlyIdempotentReplayableCallsWhenEnabled() {
        HedgingPolicy policy = HedgingPolicy.create(HedgingConfig.ofDefaults(), budget(20, 0));

        assertThat(policy.appliesTo("GET", false, true)).isTrue();
        assertThat(policy.appliesTo("DELETE", false, true)).isTrue();
        assertThat(policy.appliesTo("POST", false, true)).isFalse();
        assertThat(policy.appliesTo("POST", true, true)).isTrue();
        assertThat(policy.appliesTo("PUT", false, false)).isFalse();
        assertThat(HedgingPolicy.create(HedgingConfig.disabled(), budget(20, 0)).appliesTo("GET", false, true))
                .isFalse();
    }

    @Test
    void shouldUseFixedDelayWhenNoPercentileIsSet() {
        HedgingPolicy policy = HedgingPolicy.create(
                HedgingConfig.custom().delay(Duration.ofMillis(30)).build(), budget(20, 0));
        policy.recordAnswer(500 * MS, now.get());

        assertThat(policy.delayNanos(now.get())).isEqualTo(30 * MS);
    }

    @Test
    void shouldFollowPercentileOfAnswersWhenEnoughAreKnown() {
        HedgingPolicy policy = HedgingPolicy.create(HedgingConfig.custom()
                .delay(Duration.ofMillis(40))
                .delayPercentile(90)
                .build(), budget(20, 0));
        for (int i = 0; i < 99; i++) {
            policy.recordAnswer((i % 10 == 9 ? 100 : 10) * MS, now.get());
        }
        assertThat(policy.delayNanos(now.get())).as("99 answers are too few").isEqualTo(40 * MS);

        policy.recordAnswer(10 * MS, now.get());
        now.addAndGet(100 * MS);

        assertThat(policy.delayNanos(now.get())).as("p90 of 90 x 10 ms and 10 x 100 ms")
                .isBetween(10 * MS, 10 * MS * 9 / 8);
    }

    @Test
    void shouldNotGoBelowMinDelayWhenAnswersAreFaster() {
        HedgingPolicy policy = HedgingPolicy.create(HedgingConfig.custom()
                .delayPercentile(95)
                .minDelay(Duration.ofMillis(5))
                .build(), budget(20, 0));
        for (int i = 0; i < 200; i++) {
            policy.recordAnswer(MS / 10, now.get());
        }

        assertThat(policy.delayNanos(now.get())).isEqualTo(5 * MS);
    }

    @Test
    void shouldFallBackToFixedDelayWhenAnswersAgeOutOfTheWindow() {
        HedgingPolicy policy = HedgingPolicy.create(HedgingConfig.custom()
                .delay(Duration.ofMillis(40))
                .delayPercentile(50)
                .percentileWindow(Duration.ofSeconds(2))
                .build(), budget(20, 0));
        for (int i = 0; i < 100; i++) {
            policy.recordAnswer(3 * MS, now.get());
        }
        assertThat(policy.delayNanos(now.get())).isLessThan(4 * MS);

        now.addAndGet(Duration.ofSeconds(3).toNanos());

        assertThat(policy.delayNanos(now.get())).isEqualTo(40 * MS);
    }

    @Test
    void shouldStopHedgingWhenBudgetIsSpent() {
        RetryBudget budget = budget(10, 0);
        HedgingPolicy policy = HedgingPolicy.create(HedgingConfig.ofDefaults(), budget);
        for (int i = 0; i < 30; i++) {
            budget.deposit(now.get());
        }

        int granted = 0;
        for (int i = 0; i < 10; i++) {
            granted += policy.tryAcquireHedge() ? 1 : 0;
        }

        assertThat(granted).isEqualTo(3);
    }

    @Test
    void shouldRejectOutOfRangeValuesWhenBuilding() {
        assertThatThrownBy(() -> HedgingConfig.custom().maxHedges(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxHedges: 0 (expected: 1 to 5)");
        assertThatThrownBy(() -> HedgingConfig.custom().delayPercentile(40).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("delayPercentile: 40.0 (expected: 50 to 99.99)");
        assertThatThrownBy(() -> HedgingConfig.custom().delay(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("delay: 0 (expected: 1ms");
        assertThatThrownBy(() -> HedgingConfig.custom().percentileWindow(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("percentileWindow: 1s");
    }

    @Test
    void shouldKeepValuesWhenDerivedFromBase() {
        HedgingConfig base = HedgingConfig.custom().maxHedges(2).delay(Duration.ofMillis(7)).delayPercentile(99)
                .build();

        HedgingConfig derived = HedgingConfig.from(base).minDelay(Duration.ZERO).build();

        assertThat(derived.enabled()).isTrue();
        assertThat(derived.maxHedges()).isEqualTo(2);
        assertThat(derived.delay()).isEqualTo(Duration.ofMillis(7));
        assertThat(derived.delayPercentile()).isEqualTo(99);
        assertThat(derived.minDelay()).isZero();
        assertThat(HedgingConfig.disabled().enabled()).isFalse();
    }
}
