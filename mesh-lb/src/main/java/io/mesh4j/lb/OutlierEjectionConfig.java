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
 * <p>Optionally, success-rate ejection (Envoy's {@code success_rate}): every {@link #successRateInterval()}, among
 * instances with at least {@link #successRateRequestVolume()} attempts in the interval, and only when at least
 * {@link #successRateMinimumHosts()} instances qualify, an instance whose success rate is below
 * {@code mean - successRateStdevFactor * stdev} of theirs is ejected like a consecutive-failure outlier. The check
 * runs on the request thread whose attempt ends first after the interval, so no background thread is needed.
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
 *   <tr><td>{@code successRateInterval}</td><td>0 (off)</td><td>0, or 100 ms to 1 h</td></tr>
 *   <tr><td>{@code successRateMinimumHosts}</td><td>5</td><td>1 to 10,000</td></tr>
 *   <tr><td>{@code successRateRequestVolume}</td><td>100</td><td>1 to 1,000,000</td></tr>
 *   <tr><td>{@code successRateStdevFactor}</td><td>1.9</td><td>0.1 to 10</td></tr>
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
    private final Duration successRateInterval;
    private final int successRateMinimumHosts;
    private final int successRateRequestVolume;
    private final double successRateStdevFactor;

    private OutlierEjectionConfig(Builder builder, boolean enabled) {
        this.successRateInterval = builder.successRateInterval;
        this.successRateMinimumHosts = builder.successRateMinimumHosts;
        this.successRateRequestVolume = builder.successRateRequestVolume;
        this.successRateStdevFactor = builder.successRateStdevFactor;
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
                .maxEjectedPercent(base.maxEjectedPercent)
                .successRateInterval(base.successRateInterval)
                .successRateMinimumHosts(base.successRateMinimumHosts)
                .successRateRequestVolume(base.successRateRequestVolume)
                .successRateStdevFactor(base.successRateStdevFactor);
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

    /** How often success rates are compared; zero when success-rate ejection is off. */
    public Duration successRateInterval() {
        return successRateInterval;
    }

    public int successRateMinimumHosts() {
        return successRateMinimumHosts;
    }

    public int successRateRequestVolume() {
        return successRateRequestVolume;
    }

    public double successRateStdevFactor() {
        return successRateStdevFactor;
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "OutlierEjectionConfig{disabled}";
        }
        return "OutlierEjectionConfig{consecutiveFailures=" + consecutiveFailures + ", baseEjectionTime="
                + baseEjectionTime + ", maxEjectionTime=" + maxEjectionTime + ", maxEjectedPercent="
                + maxEjectedPercent + ", successRateInterval=" + successRateInterval + ", successRateMinimumHosts="
                + successRateMinimumHosts + ", successRateRequestVolume=" + successRateRequestVolume
                + ", successRateStdevFactor=" + successRateStdevFactor + '}';
    }

    /** Builds {@link OutlierEjectionConfig}. Not thread-safe; {@link #build()} checks ranges. */
    public static final class Builder {
        private int consecutiveFailures = 5;
        private Duration baseEjectionTime = Duration.ofSeconds(30);
        private Duration maxEjectionTime = Duration.ofSeconds(300);
        private int maxEjectedPercent = 10;
        private Duration successRateInterval = Duration.ZERO;
        private int successRateMinimumHosts = 5;
        private int successRateRequestVolume = 100;
        private double successRateStdevFactor = 1.9;

        private Builder() {
        }

        /** How often to compare success rates, 100 ms to 1 h; zero turns it off. Default: 0. */
        public Builder successRateInterval(Duration successRateInterval) {
            this.successRateInterval = requireNonNull(successRateInterval, "successRateInterval");
            return this;
        }

        /** Fewest qualifying instances for a comparison, 1 to 10,000. Default: 5. */
        public Builder successRateMinimumHosts(int successRateMinimumHosts) {
            this.successRateMinimumHosts = successRateMinimumHosts;
            return this;
        }

        /** Fewest attempts in the interval for an instance to qualify, 1 to 1,000,000. Default: 100. */
        public Builder successRateRequestVolume(int successRateRequestVolume) {
            this.successRateRequestVolume = successRateRequestVolume;
            return this;
        }

        /** How many standard deviations below the mean ejects, 0.1 to 10. Default: 1.9. */
        public Builder successRateStdevFactor(double successRateStdevFactor) {
            this.successRateStdevFactor = successRateStdevFactor;
            return this;
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
            if (!successRateInterval.isZero()) {
                Checks.range("successRateInterval", successRateInterval, Duration.ofMillis(100),
                        Duration.ofHours(1));
            }
            Checks.range("successRateMinimumHosts", successRateMinimumHosts, 1, 10_000);
            Checks.range("successRateRequestVolume", successRateRequestVolume, 1, 1_000_000);
            if (!(successRateStdevFactor >= 0.1 && successRateStdevFactor <= 10)) {
                throw new IllegalArgumentException("successRateStdevFactor: " + successRateStdevFactor
                        + " (expected: 0.1 to 10)");
            }
            return new OutlierEjectionConfig(this, true);
        }
    }
}
