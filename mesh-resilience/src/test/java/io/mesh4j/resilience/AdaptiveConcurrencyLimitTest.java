package io.mesh4j.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AdaptiveConcurrencyLimitTest {

    private static final long FAST = Duration.ofMillis(5).toNanos();
    private static final long SLOW = Duration.ofSeconds(2).toNanos();

    private final AdaptiveConcurrencyLimit limit = new AdaptiveConcurrencyLimit(AdaptiveLimitConfig.custom()
            .initialLimit(20).minLimit(2).maxLimit(50).backoffPercent(90)
            .slowCallThreshold(Duration.ofSeconds(1)).build());

    @Test
    void shouldRejectWhenInFlightReachesLimit() {
        for (int i = 0; i < 20; i++) {
            assertThat(limit.tryAcquire()).isTrue();
        }

        assertThat(limit.tryAcquire()).isFalse();
        assertThat(limit.inFlight()).isEqualTo(20);
    }

    @Test
    void shouldShrinkToMinimumWhenServerSlowsDown() {
        for (int i = 0; i < 10; i++) {
            limit.tryAcquire();
            limit.onComplete(SLOW, false);
        }
        assertThat(limit.limit()).isEqualTo(6);

        for (int i = 0; i < 30; i++) {
            limit.tryAcquire();
            limit.onComplete(SLOW, false);
        }
        assertThat(limit.limit()).isEqualTo(2);
    }

    @Test
    void shouldShrinkWhenCallsFailAndGrowBackWhenBusyCallsGoWell() {
        for (int i = 0; i < 5; i++) {
            limit.tryAcquire();
            limit.onComplete(FAST, true);
        }
        int shrunk = limit.limit();
        assertThat(shrunk).isEqualTo(11);

        for (int round = 0; round < 200; round++) {
            int admitted = 0;
            while (limit.tryAcquire()) {
                admitted++;
            }
            for (int i = 0; i < admitted; i++) {
                limit.onComplete(FAST, false);
            }
        }

        assertThat(limit.limit()).isGreaterThan(shrunk).isLessThanOrEqualTo(50);
    }

    @Test
    void shouldNotGrowWhenLimitIsMostlyUnused() {
        for (int i = 0; i < 100; i++) {
            limit.tryAcquire();
            limit.onComplete(FAST, false);
        }

        assertThat(limit.limit()).isEqualTo(20);
    }

    @Test
    void shouldFailNamingFieldWhenConfigIsOutOfRange() {
        assertThatThrownBy(() -> AdaptiveLimitConfig.custom().initialLimit(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initialLimit: 0 (expected: 1 to 1000)");
        assertThatThrownBy(() -> AdaptiveLimitConfig.custom().backoffPercent(100).build())
                .hasMessage("backoffPercent: 100 (expected: 50 to 99)");
    }
}
