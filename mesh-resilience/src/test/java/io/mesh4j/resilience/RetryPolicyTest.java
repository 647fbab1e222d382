package io.mesh4j.resilience;

import static io.mesh4j.resilience.RetryPolicy.NO_RETRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.balancer.AttemptOutcome;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final AtomicLong now = new AtomicLong(5_000_000_000L);

    private RetryPolicy policy(RetryConfig.Builder config) {
        RetryPolicy policy = RetryPolicy.create(config.build(), now::get);
        for (int i = 0; i < 100; i++) {
            policy.onCall(now.get());
        }
        return policy;
    }

    private final RetryPolicy defaults = policy(RetryConfig.custom());

    @Test
    void shouldRetryIdempotentMethodWhenStatusIsRetryable() {
        assertThat(defaults.retryDelayNanos("GET", false, 1, AttemptOutcome.SERVER_ERROR, 503, -1, true))
                .isBetween(0L, Duration.ofMillis(25).toNanos());
        assertThat(defaults.retryDelayNanos("PUT", false, 2, AttemptOutcome.NETWORK_FAILURE, 0, -1, true))
                .isBetween(0L, Duration.ofMillis(50).toNanos());
    }

    @Test
    void shouldNotRetryWhenStatusIsNotRetryableOrAttemptsAreUsedUp() {
        assertThat(defaults.retryDelayNanos("GET", false, 1, AttemptOutcome.SERVER_ERROR, 500, -1, true))
                .isEqualTo(NO_RETRY);
        assertThat(defaults.retryDelayNanos("GET", false, 1, AttemptOutcome.SUCCESS, 404, -1, true))
                .isEqualTo(NO_RETRY);
        assertThat(defaults.retryDelayNanos("GET", false, 3, AttemptOutcome.SERVER_ERROR, 503, -1, true))
                .isEqualTo(NO_RETRY);
        assertThat(defaults.retryDelayNanos("GET", false, 1, AttemptOutcome.CANCELLED, 0, -1, true))
                .isEqualTo(NO_RETRY);
    }

    @Test
    void shouldRetryPostOnlyWhenItNeverLeftOrCallerOptedIn() {
        assertThat(defaults.retryDelayNanos("POST", false, 1, AttemptOutcome.TIMEOUT, 0, -1, true))
                .isEqualTo(NO_RETRY);
        assertThat(defaults.retryDelayNanos("POST", false, 1, AttemptOutcome.SERVER_ERROR, 503, -1, true))
                .isEqualTo(NO_RETRY);
        assertThat(defaults.retryDelayNanos("PATCH", false, 1, AttemptOutcome.CONNECT_FAILURE, 0, -1, false))
                .isNotEqualTo(NO_RETRY);
        assertThat(defaults.retryDelayNanos("POST", true, 1, AttemptOutcome.TIMEOUT, 0, -1, true))
                .isNotEqualTo(NO_RETRY);
        RetryPolicy optedIn = policy(RetryConfig.custom().retryNonIdempotent(true));
        assertThat(optedIn.retryDelayNanos("POST", false, 1, AttemptOutcome.SERVER_ERROR, 503, -1, true))
                .isNotEqualTo(NO_RETRY);
    }

    @Test
    void shouldNotResendOneShotBodyWhenItWasSent() {
        assertThat(defaults.retryDelayNanos("PUT", false, 1, AttemptOutcome.SERVER_ERROR, 503, -1, false))
                .isEqualTo(NO_RETRY);
        assertThat(defaults.retryDelayNanos("PUT", false, 1, AttemptOutcome.CONNECT_FAILURE, 0, -1, false))
                .isNotEqualTo(NO_RETRY);
    }

    @Test
    void shouldWaitRetryAfterWhenServerAsksWithinCap() {
        RetryPolicy policy = policy(RetryConfig.custom().retryStatuses(Set.of(429, 503)));

        assertThat(policy.retryDelayNanos("GET", false, 1, AttemptOutcome.SUCCESS, 429, 2_000_000_000L, true))
                .isEqualTo(2_000_000_000L);
        assertThat(policy.retryDelayNanos("GET", false, 1, AttemptOutcome.SERVER_ERROR, 503, 11_000_000_000L, true))
                .isEqualTo(NO_RETRY);
    }

    @Test
    void shouldStopRetryingWhenBudgetIsSpentAndRefillAfterWindow() {
        RetryPolicy policy = policy(RetryConfig.custom().budgetPercent(20).budgetMinPerSecond(1)
                .budgetWindow(Duration.ofSeconds(10)));
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            if (policy.retryDelayNanos("GET", false, 1, AttemptOutcome.SERVER_ERROR, 503, -1, true) != NO_RETRY) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(20 + 10);
        assertThat(policy.budget().balance()).isZero();

        now.addAndGet(Duration.ofSeconds(10).toNanos());

        assertThat(policy.budget().balance()).isEqualTo(10);
    }

    @Test
    void shouldRetryAttemptThatNeverLeftWhenBudgetIsSpent() {
        RetryPolicy policy = policy(RetryConfig.custom().budgetPercent(0).budgetMinPerSecond(0));

        assertThat(policy.retryDelayNanos("GET", false, 1, AttemptOutcome.SERVER_ERROR, 503, -1, true))
                .isEqualTo(NO_RETRY);
        assertThat(policy.retryDelayNanos("POST", false, 1, AttemptOutcome.CONNECT_FAILURE, 0, -1, true))
                .isNotEqualTo(NO_RETRY);
        assertThat(policy.retryDelayNanos("POST", false, 3, AttemptOutcome.CONNECT_FAILURE, 0, -1, true))
                .as("still bounded by the attempts").isEqualTo(NO_RETRY);
        assertThat(policy.budget().balance()).isZero();
    }

    @Test
    void shouldLookAtBudgetWithoutDrawingOnItWhenAskedBeforeAnInstanceIsFound() {
        RetryPolicy policy = policy(RetryConfig.custom().budgetPercent(1).budgetMinPerSecond(0));
        assertThat(policy.budget().balance()).isEqualTo(1);

        assertThat(policy.delayIfAllowed("GET", false, 1, AttemptOutcome.SERVER_ERROR, 503, -1, true))
                .isNotEqualTo(NO_RETRY);
        assertThat(policy.budget().balance()).as("nothing drawn yet").isEqualTo(1);
        assertThat(policy.withdraw(AttemptOutcome.SERVER_ERROR)).isTrue();
        assertThat(policy.delayIfAllowed("GET", false, 1, AttemptOutcome.SERVER_ERROR, 503, -1, true))
                .as("the budget is spent").isEqualTo(NO_RETRY);
        assertThat(policy.withdraw(AttemptOutcome.CONNECT_FAILURE)).as("never sent: free").isTrue();
    }

    @Test
    void shouldGrowBackoffCeilingExponentiallyUpToMax() {
        RetryPolicy policy = policy(RetryConfig.custom().backoffBase(Duration.ofMillis(100))
                .backoffMax(Duration.ofMillis(300)));
        long max1 = 0;
        long max3 = 0;
        for (int i = 0; i < 2_000; i++) {
            max1 = Math.max(max1, policy.backoffNanos(1));
            max3 = Math.max(max3, policy.backoffNanos(3));
            assertThat(policy.backoffNanos(60)).isBetween(0L, 300_000_000L);
        }
        assertThat(max1).isBetween(90_000_000L, 100_000_000L);
        assertThat(max3).isBetween(270_000_000L, 300_000_000L);
    }

    @Test
    void shouldFailNamingFieldWhenConfigIsOutOfRange() {
        assertThatThrownBy(() -> RetryConfig.custom().maxAttempts(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts: 0 (expected: 1 to 10)");
        assertThatThrownBy(() -> RetryConfig.custom().retryStatuses(Set.of(404)).build())
                .hasMessage("retryStatuses: 404 (expected: 500 to 599, or 429)");
        assertThatThrownBy(() -> RetryConfig.custom().backoffBase(Duration.ofSeconds(2)).build())
                .hasMessage("backoffMax: 1s (expected: 2s to 5min)");
        assertThatThrownBy(() -> RetryConfig.custom().budgetWindow(Duration.ofMillis(1500)).build())
                .hasMessage("budgetWindow: 1500ms (expected: whole seconds)");
        assertThat(RetryConfig.from(RetryConfig.ofDefaults()).build().toString())
                .isEqualTo(RetryConfig.ofDefaults().toString());
    }
}
