package io.mesh4j.lb;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.internal.Checks;
import java.time.Duration;

/**
 * Passive health checking, as Envoy's outlier detection: an instance that fails {@link #consecutiveFailures()}
 * attempts in a row (connect failures, resets, timeouts, 5xx) is ejected from picking for
 * {@link #baseEjectionTime()} times the number of times it has been ejected, at most {@link #maxEjectionTime()},
 * and then returns. At most {@link #maxEjectedPercent()} of a service's instances are ejected at once, but always at
 * least one may be. An instance that stays in for longer than {@code maxEjectionTime} after returning starts again
 * from the base time.
 *
 * <p>Immutable and thread-safe.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>{@code consecutiveFailures}</td><td>5</td><td>1 to 1,000</td></tr>
 *   <tr><td>{@code baseEjectionTime}</td><td>30 s</td><td>1 ms to 1 h</td></tr>
 *   <tr><td>{@code maxEjectionTime}</td><td>300 s</td><td>{@code baseEjectionTime} to 24 h</td></tr>
 *   <tr><td>{@code maxEjectedPercent}</td><td>10</td><td>1 to 100</td></tr>
 * </table>
 */
public final class OutlierEjectionConfig {

    private static final OutlierEjectionConfig DEFAULTS = new Builder().build();
    private static final OutlierEjectionConfig DISABLED = new OutlierEjectionConfig(new Builder(), false);

    private final boolean enabled;
    private final int consecutiveFailures;
    private final Duration baseEjectionTime;
    private final Duration maxEjectionTime;
    private final int maxEjectedPercent;

    private OutlierEjectionConfig(Builder builder, boolean enabled) {
        this.enabled = enabled;
        this.consecutiveFailures = builder.consecutiveFailures;
        this.baseEjectionTime = builder.baseEjectionTime;
        this.maxEjectionTime = builder.maxEjectionTime;
        this.maxEjectedPercent = builder.maxEjectedPercent;
    }

    /** Ejection with the documented defaults. */
    public static OutlierEjectionConfig ofDefaults() {
        return DEFAULTS;
    }

    /** No ejection: every instance discovery lists stays in. */
    public static OutlierEjectionConfig disabled() {
        return DISABLED;
    }

    /** A builder starting from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}'s values (ejection enabled). */
    public static Builder from(OutlierEjectionConfig base) {
        requireNonNull(base, "base");
        return new Builder().consecutiveFailures(base.consecutiveFailures)
                .baseEjectionTime(base.baseEjectionTime)
                .maxEjectionTime(base.maxEjectionTime)
                .maxEjectedPercent(base.maxEjectedPercent);
    }

    public boolean enabled() {
        return enabled;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    public Duration baseEjectionTime() {
        return baseEjectionTime;
    }

    public Duration maxEjectionTime() {
        return maxEjectionTime;
    }

    public int maxEjectedPercent() {
        return maxEjectedPercent;
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "OutlierEjectionConfig{disabled}";
        }
        return "OutlierEjectionConfig{consecutiveFailures=" + consecutiveFailures + ", baseEjectionTime="
                + baseEjectionTime + ", maxEjectionTime=" + maxEjectionTime + ", maxEjectedPercent="
                + maxEjectedPercent + '}';
    }

    /** Builds {@link OutlierEjectionConfig}. Not thread-safe; {@link #build()} checks ranges. */
    public static final class Builder {
        private int consecutiveFailures = 5;
        private Duration baseEjectionTime = Duration.ofSeconds(30);
        private Duration maxEjectionTime = Duration.ofSeconds(300);
        private int maxEjectedPercent = 10;

        private Builder() {
        }

        /** Failures in a row that eject an instance, 1 to 1,000. Default: 5. */
        public Builder consecutiveFailures(int consecutiveFailures) {
            this.consecutiveFailures = consecutiveFailures;
            return this;
        }

        /** The first ejection's length, 1 ms to 1 h. Default: 30 s. */
        public Builder baseEjectionTime(Duration baseEjectionTime) {
            this.baseEjectionTime = requireNonNull(baseEjectionTime, "baseEjectionTime");
            return this;
        }

        /** The longest ejection, from {@code baseEjectionTime} to 24 h. Default: 300 s. */
        public Builder maxEjectionTime(Duration maxEjectionTime) {
            this.maxEjectionTime = requireNonNull(maxEjectionTime, "maxEjectionTime");
            return this;
        }

        /** The largest share of instances ejected at once, 1 to 100 percent. Default: 10. */
        public Builder maxEjectedPercent(int maxEjectedPercent) {
            this.maxEjectedPercent = maxEjectedPercent;
            return this;
        }

        /**
         * Builds the config.
         *
         * @throws IllegalArgumentException naming the field and its range when a value is out of range
         */
        public OutlierEjectionConfig build() {
            Checks.range("consecutiveFailures", consecutiveFailures, 1, 1_000);
            Checks.range("baseEjectionTime", baseEjectionTime, Duration.ofMillis(1), Duration.ofHours(1));
            Checks.range("maxEjectionTime", maxEjectionTime, baseEjectionTime, Duration.ofHours(24));
            Checks.range("maxEjectedPercent", maxEjectedPercent, 1, 100);
            return new OutlierEjectionConfig(this, true);
        }
    }
}
