package io.mesh4j.resilience;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.internal.Checks;
import java.time.Duration;

/**
 * An adaptive concurrency limit (additive increase, multiplicative decrease, in the spirit of Netflix's
 * concurrency-limits): the limit on calls in flight grows by one per window of calls that all went well while the
 * limit was nearly used, and shrinks by {@link #backoffRatio()} whenever a call fails or takes longer than
 * {@link #slowCallThreshold()}. So when the service slows down, the caller sends it less at once, instead of
 * queueing more. Calls past the limit fail at once with {@link io.mesh4j.api.ConcurrencyLimitException}.
 *
 * <p>Immutable and thread-safe.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>{@code initialLimit}</td><td>20</td><td>{@code minLimit} to {@code maxLimit}</td></tr>
 *   <tr><td>{@code minLimit}</td><td>1</td><td>1 to 100,000</td></tr>
 *   <tr><td>{@code maxLimit}</td><td>1,000</td><td>{@code minLimit} to 100,000</td></tr>
 *   <tr><td>{@code backoffRatio} (percent)</td><td>90</td><td>50 to 99</td></tr>
 *   <tr><td>{@code slowCallThreshold}</td><td>1 s</td><td>1 ms to 1 h</td></tr>
 * </table>
 */
public final class AdaptiveLimitConfig {

    private static final AdaptiveLimitConfig DEFAULTS = new Builder().build();

    private final int initialLimit;
    private final int minLimit;
    private final int maxLimit;
    private final int backoffPercent;
    private final Duration slowCallThreshold;

    private AdaptiveLimitConfig(Builder builder) {
        this.initialLimit = builder.initialLimit;
        this.minLimit = builder.minLimit;
        this.maxLimit = builder.maxLimit;
        this.backoffPercent = builder.backoffPercent;
        this.slowCallThreshold = builder.slowCallThreshold;
    }

    public static AdaptiveLimitConfig ofDefaults() {
        return DEFAULTS;
    }

    public static Builder custom() {
        return new Builder();
    }

    public static Builder from(AdaptiveLimitConfig base) {
        requireNonNull(base, "base");
        return new Builder().initialLimit(base.initialLimit).minLimit(base.minLimit).maxLimit(base.maxLimit)
                .backoffPercent(base.backoffPercent).slowCallThreshold(base.slowCallThreshold);
    }

    public int initialLimit() {
        return initialLimit;
    }

    public int minLimit() {
        return minLimit;
    }

    public int maxLimit() {
        return maxLimit;
    }

    /** The factor the limit is multiplied by on a failed or slow call. */
    public double backoffRatio() {
        return backoffPercent / 100.0;
    }

    public Duration slowCallThreshold() {
        return slowCallThreshold;
    }

    @Override
    public String toString() {
        return "AdaptiveLimitConfig{initialLimit=" + initialLimit + ", minLimit=" + minLimit + ", maxLimit="
                + maxLimit + ", backoffPercent=" + backoffPercent + ", slowCallThreshold=" + slowCallThreshold + '}';
    }

    /** Builds {@link AdaptiveLimitConfig}. Not thread-safe; {@link #build()} checks ranges. */
    public static final class Builder {
        private int initialLimit = 20;
        private int minLimit = 1;
        private int maxLimit = 1_000;
        private int backoffPercent = 90;
        private Duration slowCallThreshold = Duration.ofSeconds(1);

        private Builder() {
        }

        public Builder initialLimit(int initialLimit) {
            this.initialLimit = initialLimit;
            return this;
        }

        public Builder minLimit(int minLimit) {
            this.minLimit = minLimit;
            return this;
        }

        public Builder maxLimit(int maxLimit) {
            this.maxLimit = maxLimit;
            return this;
        }

        /** The limit is multiplied by this percentage on a failed or slow call, 50 to 99. Default: 90. */
        public Builder backoffPercent(int backoffPercent) {
            this.backoffPercent = backoffPercent;
            return this;
        }

        public Builder slowCallThreshold(Duration slowCallThreshold) {
            this.slowCallThreshold = requireNonNull(slowCallThreshold, "slowCallThreshold");
            return this;
        }

        /**
         * Builds the config.
         *
         * @throws IllegalArgumentException naming the field and its range when a value is out of range
         */
        public AdaptiveLimitConfig build() {
            Checks.range("minLimit", minLimit, 1, 100_000);
            Checks.range("maxLimit", maxLimit, minLimit, 100_000);
            Checks.range("initialLimit", initialLimit, minLimit, maxLimit);
            Checks.range("backoffPercent", backoffPercent, 50, 99);
            Checks.range("slowCallThreshold", slowCallThreshold, Duration.ofMillis(1), Duration.ofHours(1));
            return new AdaptiveLimitConfig(this);
        }
    }
}
