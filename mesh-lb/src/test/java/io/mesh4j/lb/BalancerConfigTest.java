package io.mesh4j.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BalancerConfigTest {

    @Test
    void shouldUseDocumentedDefaultsWhenNothingIsSet() {
        BalancerConfig config = BalancerConfig.ofDefaults();

        assertThat(config.algorithm()).isEqualTo(Algorithm.PEAK_EWMA);
        assertThat(config.ewmaDecayTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.failurePenalty()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.latencyProbeInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.minRingSize()).isEqualTo(1_024);
        assertThat(config.panicThresholdPercent()).isEqualTo(50);
        assertThat(config.slowStartWindow()).isZero();
        assertThat(config.slowStartMinWeightPercent()).isEqualTo(10);
        assertThat(config.localZone()).isNull();
        assertThat(config.minLocalHealthyPercent()).isEqualTo(70);
        assertThat(config.random()).isNull();
        OutlierEjectionConfig ejection = config.outlierEjection();
        assertThat(ejection.enabled()).isTrue();
        assertThat(ejection.consecutiveFailures()).isEqualTo(5);
        assertThat(ejection.baseEjectionTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ejection.maxEjectionTime()).isEqualTo(Duration.ofSeconds(300));
        assertThat(ejection.maxEjectedPercent()).isEqualTo(10);
    }

    @Test
    void shouldCopyEveryValueWhenDerivedFromBase() {
        BalancerConfig base = BalancerConfig.custom().algorithm(Algorithm.RING_HASH).minRingSize(4096)
                .localZone("z").slowStartWindow(Duration.ofSeconds(5)).latencyProbeInterval(Duration.ofMillis(300))
                .build();

        BalancerConfig derived = BalancerConfig.from(base).build();

        assertThat(derived.toString()).isEqualTo(base.toString());
        assertThat(LoadBalancers.of(derived).name()).isEqualTo("ring_hash");
    }

    @Test
    void shouldFailNamingFieldAndRangeWhenValueIsOutOfRange() {
        assertThatThrownBy(() -> BalancerConfig.custom().panicThresholdPercent(101).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("panicThresholdPercent: 101 (expected: 0 to 100)");
        assertThatThrownBy(() -> BalancerConfig.custom().minRingSize(0).build())
                .hasMessage("minRingSize: 0 (expected: 1 to 8388608)");
        assertThatThrownBy(() -> BalancerConfig.custom().ewmaDecayTime(Duration.ZERO).build())
                .hasMessage("ewmaDecayTime: 0 (expected: 1ms to 1h)");
        assertThatThrownBy(() -> BalancerConfig.custom().latencyProbeInterval(Duration.ofMillis(-1)).build())
                .hasMessage("latencyProbeInterval: -1ms (expected: 0 to 1h)");
        assertThatThrownBy(() -> BalancerConfig.custom().slowStartMinWeightPercent(0).build())
                .hasMessage("slowStartMinWeightPercent: 0 (expected: 1 to 100)");
        assertThatThrownBy(() -> BalancerConfig.custom().localZone("").build())
                .hasMessageStartingWith("localZone: ''");
        assertThatThrownBy(() -> OutlierEjectionConfig.custom().consecutiveFailures(0).build())
                .hasMessage("consecutiveFailures: 0 (expected: 1 to 1000)");
        assertThatThrownBy(() -> OutlierEjectionConfig.custom().maxEjectedPercent(0).build())
                .hasMessage("maxEjectedPercent: 0 (expected: 1 to 100)");
    }

    @Test
    void shouldFailWhenMaxEjectionTimeIsBelowBase() {
        assertThatThrownBy(() -> OutlierEjectionConfig.custom().baseEjectionTime(Duration.ofSeconds(60))
                .maxEjectionTime(Duration.ofSeconds(30)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxEjectionTime: 30s (expected: 1min to 24h)");
    }
}
