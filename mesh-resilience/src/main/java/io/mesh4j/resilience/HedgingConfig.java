package io.mesh4j.resilience;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.internal.Checks;
import java.time.Duration;

/**
 * When a call sends a backup request (a hedge) to another instance while the first is still running, to cut the tail
 * latency a slow instance, a GC pause or a lost packet adds. Immutable and thread-safe. Off unless set: see
 * {@link #disabled()}.
 *
 * <p>Only idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE, TRACE, or marked idempotent by the caller) with a
 * replayable body are hedged. After the hedge delay without an answer, one more attempt goes to an instance the call
 * has not tried, up to {@link #maxHedges()} of them; the first good answer (not a failure, not a 5xx, not a
 * retryable status) wins and the others are cancelled. Every hedge is withdrawn from the service's retry budget, so
 * hedges and retries together stay within the budget's share of traffic; when it is spent, no hedge is sent.
 *
 * <p>The delay is fixed ({@link Builder#delay}), or, with {@link Builder#delayPercentile}, the given percentile of
 * the latencies of the service's good answers over the last {@link #percentileWindow()}, but at least
 * {@link #minDelay()}; until the window holds 100 answers the fixed delay applies.
 *
 * <table>
 *   <caption>Settings and defaults of {@link #custom()}</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>{@code maxHedges}</td><td>1</td><td>1 to 5</td></tr>
 *   <tr><td>{@code delay}</td><td>50 ms</td><td>1 ms to 1 min</td></tr>
 *   <tr><td>{@code delayPercentile}</td><td>none (fixed delay)</td><td>50 to 99.99</td></tr>
 *   <tr><td>{@code minDelay}</td><td>1 ms</td><td>0 to 1 min</td></tr>
 *   <tr><td>{@code percentileWindow}</td><td>30 s</td><td>2 s to 10 min</td></tr>
 * </table>
 *
 * <pre>{@code
 * HedgingConfig hedging = HedgingConfig.custom()
 *     .delayPercentile(95)            // hedge calls slower than 95% of recent answers
 *     .delay(Duration.ofMillis(20))   // until 100 answers are known
 *     .build();
 * }</pre>
 */
public final class HedgingConfig {

    /** Answers the percentile window must hold before its percentile replaces the fixed delay. */
    public static final int MIN_SAMPLES = 100;

    private static final HedgingConfig DISABLED = new HedgingConfig(new Builder(), false);
    private static final HedgingConfig DEFAULTS = new Builder().build();

    private final boolean enabled;
    private final int maxHedges;
    private final Duration delay;
    private final double delayPercentile;
    private final Duration minDelay;
    private final Duration percentileWindow;

    private HedgingConfig(Builder builder, boolean enabled) {
        this.enabled = enabled;
        this.maxHedges = builder.maxHedges;
        this.delay = builder.delay;
        this.delayPercentile = builder.delayPercentile;
        this.minDelay = builder.minDelay;
        this.percentileWindow = builder.percentileWindow;
    }

    /** No hedging: the default of every service. */
    public static HedgingConfig disabled() {
        return DISABLED;
    }

    /** Hedging with the defaults in the table above: one hedge after 50 ms. */
    public static HedgingConfig ofDefaults() {
        return DEFAULTS;
    }

    /** A builder of an enabled config, starting from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder of an enabled config, starting from {@code base}'s values. */
    public static Builder from(HedgingConfig base) {
        requireNonNull(base, "base");
        Builder builder = new Builder();
        builder.maxHedges = base.maxHedges;
        builder.delay = base.delay;
        builder.delayPercentile = base.delayPercentile;
        builder.minDelay = base.minDelay;
        builder.percentileWindow = base.percentileWindow;
        return builder;
    }

    public boolean enabled() {
        return enabled;
    }

    public int maxHedges() {
        return maxHedges;
    }

    public Duration delay() {
        return delay;
    }

    /** The latency percentile that sets the delay, or 0 for a fixed delay. */
    public double delayPercentile() {
        return delayPercentile;
    }

    public Duration minDelay() {
        return minDelay;
    }

    public Duration percentileWindow() {
        return percentileWindow;
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "HedgingConfig{disabled}";
        }
        return "HedgingConfig{maxHedges=" + maxHedges + ", delay=" + delay
                + (delayPercentile > 0 ? ", delayPercentile=" + delayPercentile + ", minDelay=" + minDelay
                        + ", percentileWindow=" + percentileWindow : "")
                + '}';
    }

    /** Builds {@link HedgingConfig}. Not thread-safe; {@link #build()} checks ranges. */
    public static final class Builder {
        private int maxHedges = 1;
        private Duration delay = Duration.ofMillis(50);
        private double delayPercentile;
        private Duration minDelay = Duration.ofMillis(1);
        private Duration percentileWindow = Duration.ofSeconds(30);

        private Builder() {
        }

        /** Backup requests per call at most, 1 to 5. Default: 1. */
        public Builder maxHedges(int maxHedges) {
            this.maxHedges = maxHedges;
            return this;
        }

        /**
         * The wait before each hedge, 1 ms to 1 min; with {@link #delayPercentile} the wait until enough answers are
         * known. Default: 50 ms.
         */
        public Builder delay(Duration delay) {
            this.delay = requireNonNull(delay, "delay");
            return this;
        }

        /** Sets the delay to this percentile of recent good answers' latencies, 50 to 99.99. Default: none. */
        public Builder delayPercentile(double delayPercentile) {
            this.delayPercentile = delayPercentile;
            return this;
        }

        /** The shortest delay a percentile may give, 0 to 1 min. Default: 1 ms. */
        public Builder minDelay(Duration minDelay) {
            this.minDelay = requireNonNull(minDelay, "minDelay");
            return this;
        }

        /** How far back answers count for the percentile, 2 s to 10 min. Default: 30 s. */
        public Builder percentileWindow(Duration percentileWindow) {
            this.percentileWindow = requireNonNull(percentileWindow, "percentileWindow");
            return this;
        }

        /**
         * Builds the config.
         *
         * @throws IllegalArgumentException naming the field and its range when a value is out of range
         */
        public HedgingConfig build() {
            Checks.range("maxHedges", maxHedges, 1, 5);
            if (delayPercentile != 0 && !(delayPercentile >= 50 && delayPercentile <= 99.99)) {
                throw new IllegalArgumentException(
                        "delayPercentile: " + delayPercentile + " (expected: 50 to 99.99)");
            }
            Checks.range("delay", delay, Duration.ofMillis(1), Duration.ofMinutes(1));
            Checks.range("minDelay", minDelay, Duration.ZERO, Duration.ofMinutes(1));
            Checks.range("percentileWindow", percentileWindow, Duration.ofSeconds(2), Duration.ofMinutes(10));
            return new HedgingConfig(this, true);
        }
    }
}
