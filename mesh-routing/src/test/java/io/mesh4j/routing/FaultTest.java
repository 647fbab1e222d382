package io.mesh4j.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FaultTest {

    @Test
    void shouldHitEachShareWithinHalfAPointWhenDrawnOneHundredThousandTimes() {
        Fault fault = Fault.builder().delay(Duration.ofMillis(100), 12.5).abort(503, 0.5).build();
        SplittableRandom random = new SplittableRandom(42);
        int draws = 100_000;
        int delayed = 0;
        int aborted = 0;
        for (int i = 0; i < draws; i++) {
            delayed += fault.delays(random.nextLong()) ? 1 : 0;
            aborted += fault.aborts(random.nextLong()) ? 1 : 0;
        }
        // Standard deviations at 100,000 draws: 0.10 points for 12.5%, 0.02 points for 0.5%.
        assertThat(100.0 * delayed / draws).isBetween(12.0, 13.0);
        assertThat(100.0 * aborted / draws).isBetween(0.4, 0.6);
    }

    @Test
    void shouldAlwaysOrNeverHitWhenShareIsAllOrNone() {
        Fault onlyAbort = Fault.builder().abort(500, 100).build();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            long draw = random.nextLong();
            assertThat(onlyAbort.aborts(draw)).isTrue();
            assertThat(onlyAbort.delays(draw)).isFalse();
        }
        assertThat(onlyAbort.aborts(Long.MAX_VALUE)).isTrue();
        assertThat(onlyAbort.aborts(-1L)).isTrue();
    }

    @Test
    void shouldNameFieldAndRangeWhenValuesAreOutOfRange() {
        assertThatThrownBy(() -> Fault.builder().abort(503, 0)).hasMessage(
                "abortPercent: 0.0 (expected: more than 0, up to 100)");
        assertThatThrownBy(() -> Fault.builder().abort(700, 10)).hasMessage("abortStatus: 700 (expected: 200 to 599)");
        assertThatThrownBy(() -> Fault.builder().delay(Duration.ZERO, 10)).hasMessage(
                "delay: 0 (expected: 1ms to 1h)");
        assertThatThrownBy(() -> Fault.builder().delay(Duration.ofMillis(5), 100.5)).hasMessage(
                "delayPercent: 100.5 (expected: more than 0, up to 100)");
        assertThatThrownBy(() -> Fault.builder().build()).hasMessageContaining("nothing to inject");
    }
}
