package io.mesh4j.lb;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.Checks;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Everything a balancer does beyond its {@link Algorithm}: outlier ejection, the panic threshold, slow start and
 * zone awareness, plus the clock and random source it uses. Hand it to {@link LoadBalancers#of(BalancerConfig)}.
 *
 * <p>How one snapshot is built when the instance set or an instance's health changes:
 * <ol>
 *   <li><b>healthy</b> = the instances neither ejected nor failing the client's active health checks;</li>
 *   <li><b>panic</b>: if fewer than {@link #panicThresholdPercent()} percent of all instances are healthy, balance
 *       over all of them rather than overload the few;</li>
 *   <li><b>zone</b>: with a {@link #localZone()}, use only the candidates in that zone while at least
 *       {@link #minLocalHealthyPercent()} percent of the zone's instances are candidates, else spill over to
 *       every zone;</li>
 *   <li><b>slow start</b>: an instance that joined or returned from ejection less than {@link #slowStartWindow()}
 *       ago gets a share that grows linearly from {@link #slowStartMinWeightPercent()} percent to all of it.</li>
 * </ol>
 *
 * <p>Immutable and thread-safe.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>{@code algorithm}</td><td>{@link Algorithm#PEAK_EWMA}</td><td></td></tr>
 *   <tr><td>{@code ewmaDecayTime}</td><td>10 s</td><td>1 ms to 1 h</td></tr>
 *   <tr><td>{@code failurePenalty}</td><td>1 s</td><td>0 to 1 h</td></tr>
 *   <tr><td>{@code failurePenaltyWindow}</td><td>2 s</td><td>1 ms to 1 h</td></tr>
 *   <tr><td>{@code latencyProbeInterval}</td><td>1 s</td><td>0 (off) to 1 h</td></tr>
 *   <tr><td>{@code minRingSize}</td><td>1,024</td><td>1 to 8,388,608</td></tr>
 *   <tr><td>{@code outlierEjection}</td><td>{@link OutlierEjectionConfig#ofDefaults()}</td><td></td></tr>
 *   <tr><td>{@code panicThresholdPercent}</td><td>50</td><td>0 (off) to 100</td></tr>
 *   <tr><td>{@code slowStartWindow}</td><td>0 (off)</td><td>0 to 1 h</td></tr>
 *   <tr><td>{@code slowStartMinWeightPercent}</td><td>10</td><td>1 to 100</td></tr>
 *   <tr><td>{@code localZone}</td><td>none (off)</td><td></td></tr>
 *   <tr><td>{@code minLocalHealthyPercent}</td><td>70</td><td>1 to 100</td></tr>
 *   <tr><td>{@code ticker}</td><td>{@link Ticker#system()}</td><td></td></tr>
 *   <tr><td>{@code random}</td><td>the calling thread's {@code ThreadLocalRandom}</td><td></td></tr>
 * </table>
 *
 * <pre>{@code
 * LoadBalancerFactory balancer = LoadBalancers.of(BalancerConfig.custom()
 *     .algorithm(Algorithm.PEAK_EWMA)
 *     .localZone("eu-west-1a")
 *     .slowStartWindow(Duration.ofSeconds(30))
 *     .build());
 * }</pre>
 */
public final class BalancerConfig {

    private static final BalancerConfig DEFAULTS = new Builder().build();

    private final Algorithm algorithm;
    private final Duration ewmaDecayTime;
    private final Duration failurePenalty;
    private final Duration failurePenaltyWindow;
    private final Duration latencyProbeInterval;
    private final int minRingSize;
    private final OutlierEjectionConfig outlierEjection;
    private final int panicThresholdPercent;
    private final Duration slowStartWindow;
    private final int slowStartMinWeightPercent;
    @Nullable
    private final String localZone;
    private final int minLocalHealthyPercent;
    private final Ticker ticker;
    @Nullable
    private final RandomGenerator random;

    private BalancerConfig(Builder builder) {
        this.algorithm = builder.algorithm;
        this.ewmaDecayTime = builder.ewmaDecayTime;
        this.failurePenalty = builder.failurePenalty;
        this.failurePenaltyWindow = builder.failurePenaltyWindow;
        this.latencyProbeInterval = builder.latencyProbeInterval;
        this.minRingSize = builder.minRingSize;
        this.outlierEjection = builder.outlierEjection;
        this.panicThresholdPercent = builder.panicThresholdPercent;
        this.slowStartWindow = builder.slowStartWindow;
        this.slowStartMinWeightPercent = builder.slowStartMinWeightPercent;
        this.localZone = builder.localZone;
        this.minLocalHealthyPercent = builder.minLocalHealthyPercent;
        this.ticker = builder.ticker;
        this.random = builder.random;
    }

    /** The documented defaults. */
    public static BalancerConfig ofDefaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}. */
    public static Builder from(BalancerConfig base) {
        requireNonNull(base, "base");
        Builder builder = new Builder()
                .algorithm(base.algorithm)
                .ewmaDecayTime(base.ewmaDecayTime)
                .failurePenalty(base.failurePenalty)
                .failurePenaltyWindow(base.failurePenaltyWindow)
                .latencyProbeInterval(base.latencyProbeInterval)
                .minRingSize(base.minRingSize)
                .outlierEjection(base.outlierEjection)
                .panicThresholdPercent(base.panicThresholdPercent)
                .slowStartWindow(base.slowStartWindow)
                .slowStartMinWeightPercent(base.slowStartMinWeightPercent)
                .localZone(base.localZone)
                .minLocalHealthyPercent(base.minLocalHealthyPercent)
                .ticker(base.ticker);
        builder.random = base.random;
        return builder;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    /** The peak-EWMA time constant: how fast old latency samples lose weight. */
    public Duration ewmaDecayTime() {
        return ewmaDecayTime;
    }

    /**
     * What a failed attempt adds to its instance's peak-EWMA load, on top of its measured latency, right after the
     * failure. The penalty fades linearly to nothing over {@link #failurePenaltyWindow()}, so a failed instance
     * gets no traffic while healthy ones answer in less than the penalty, and competes on its measured latency
     * again once the window has passed: an instance that restarts after failing gets traffic back within the
     * window, not after its old penalty has been averaged away.
     */
    public Duration failurePenalty() {
        return failurePenalty;
    }

    /** How long the {@link #failurePenalty()} of a failure takes to fade to nothing. */
    public Duration failurePenaltyWindow() {
        return failurePenaltyWindow;
    }

    /**
     * How long an instance's peak-EWMA estimate may go without a sample while the instance it is compared with has
     * fresher ones, before the estimate expires and the instance gets one request whose answer becomes its new
     * estimate; 0 turns probing off. An estimate only decays with time, so without probes an instance that was 20
     * times slower than the others keeps losing every comparison for three decay times (30 s by default) after it
     * recovered or restarted. A probe goes only to an instance with nothing in flight, so a hung instance is not sent
     * more requests, and at most once per interval, so an instance that stays slow costs about one slow request per
     * interval.
     */
    public Duration latencyProbeInterval() {
        return latencyProbeInterval;
    }

    /** The fewest points on a consistent-hash ring; instances get points in proportion to their weight. */
    public int minRingSize() {
        return minRingSize;
    }

    public OutlierEjectionConfig outlierEjection() {
        return outlierEjection;
    }

    public int panicThresholdPercent() {
        return panicThresholdPercent;
    }

    public Duration slowStartWindow() {
        return slowStartWindow;
    }

    public int slowStartMinWeightPercent() {
        return slowStartMinWeightPercent;
    }

    /** The caller's zone, or {@code null} when zone awareness is off. */
    @Nullable
    public String localZone() {
        return localZone;
    }

    public int minLocalHealthyPercent() {
        return minLocalHealthyPercent;
    }

    /**
     * The clock for latency decay, ejection and slow start. A {@code MeshClient} creates its balancers with its own
     * ticker instead, so that one clock serves the whole call.
     */
    public Ticker ticker() {
        return ticker;
    }

    /** The random source, or {@code null} for the calling thread's {@code ThreadLocalRandom}. */
    @Nullable
    public RandomGenerator random() {
        return random;
    }

    @Override
    public String toString() {
        return "BalancerConfig{algorithm=" + algorithm + ", ewmaDecayTime=" + ewmaDecayTime + ", failurePenalty="
                + failurePenalty + ", failurePenaltyWindow=" + failurePenaltyWindow + ", latencyProbeInterval="
                + latencyProbeInterval + ", minRingSize=" + minRingSize + ", outlierEjection=" + outlierEjection
                + ", panicThresholdPercent=" + panicThresholdPercent + ", slowStartWindow=" + slowStartWindow
                + ", slowStartMinWeightPercent=" + slowStartMinWeightPercent + ", localZone=" + localZone
                + ", minLocalHealthyPercent=" + minLocalHealthyPercent + '}';
    }

    /** Builds {@link BalancerConfig}. Not thread-safe; {@link #build()} checks ranges. */
    public static final class Builder {
        private Algorithm algorithm = Algorithm.PEAK_EWMA;
        private Duration ewmaDecayTime = Duration.ofSeconds(10);
        private Duration failurePenalty = Duration.ofSeconds(1);
        private Duration failurePenaltyWindow = Duration.ofSeconds(2);
        private Duration latencyProbeInterval = Duration.ofSeconds(1);
        private int minRingSize = 1_024;
        private OutlierEjectionConfig outlierEjection = OutlierEjectionConfig.ofDefaults();
        private int panicThresholdPercent = 50;
        private Duration slowStartWindow = Duration.ZERO;
        private int slowStartMinWeightPercent = 10;
        @Nullable
        private String localZone;
        private int minLocalHealthyPercent = 70;
        private Ticker ticker = Ticker.system();
        @Nullable
        private RandomGenerator random;

        private Builder() {
        }

        public Builder algorithm(Algorithm algorithm) {
            this.algorithm = requireNonNull(algorithm, "algorithm");
            return this;
        }

        /** Peak-EWMA time constant, 1 ms to 1 h. Default: 10 s. */
        public Builder ewmaDecayTime(Duration ewmaDecayTime) {
            this.ewmaDecayTime = requireNonNull(ewmaDecayTime, "ewmaDecayTime");
            return this;
        }

        /** What a failure adds to peak-EWMA load, 0 to 1 h. Default: 1 s. */
        public Builder failurePenalty(Duration failurePenalty) {
            this.failurePenalty = requireNonNull(failurePenalty, "failurePenalty");
            return this;
        }

        /** How long a failure's penalty takes to fade to nothing, 1 ms to 1 h. Default: 2 s. */
        public Builder failurePenaltyWindow(Duration failurePenaltyWindow) {
            this.failurePenaltyWindow = requireNonNull(failurePenaltyWindow, "failurePenaltyWindow");
            return this;
        }

        /**
         * How long a peak-EWMA estimate may go unmeasured before its instance gets a probe, 0 (off) to 1 h. Default:
         * 1 s.
         */
        public Builder latencyProbeInterval(Duration latencyProbeInterval) {
            this.latencyProbeInterval = requireNonNull(latencyProbeInterval, "latencyProbeInterval");
            return this;
        }

        /** Fewest ring points for {@link Algorithm#RING_HASH}, 1 to 8,388,608. Default: 1,024. */
        public Builder minRingSize(int minRingSize) {
            this.minRingSize = minRingSize;
            return this;
        }

        /** Passive health checking. Default: {@link OutlierEjectionConfig#ofDefaults()}. */
        public Builder outlierEjection(OutlierEjectionConfig outlierEjection) {
            this.outlierEjection = requireNonNull(outlierEjection, "outlierEjection");
            return this;
        }

        /** Below this share of healthy instances, balance over all, 0 (never) to 100. Default: 50. */
        public Builder panicThresholdPercent(int panicThresholdPercent) {
            this.panicThresholdPercent = panicThresholdPercent;
            return this;
        }

        /** How long a new or returning instance ramps up, 0 (off) to 1 h. Default: 0. */
        public Builder slowStartWindow(Duration slowStartWindow) {
            this.slowStartWindow = requireNonNull(slowStartWindow, "slowStartWindow");
            return this;
        }

        /** The share a ramping instance starts with, 1 to 100 percent. Default: 10. */
        public Builder slowStartMinWeightPercent(int slowStartMinWeightPercent) {
            this.slowStartMinWeightPercent = slowStartMinWeightPercent;
            return this;
        }

        /** The caller's zone, matched against {@code ServiceInstance.zone()}; {@code null} turns zones off. */
        public Builder localZone(@Nullable String localZone) {
            this.localZone = localZone;
            return this;
        }

        /** Stay in the local zone while this share of its instances is healthy, 1 to 100. Default: 70. */
        public Builder minLocalHealthyPercent(int minLocalHealthyPercent) {
            this.minLocalHealthyPercent = minLocalHealthyPercent;
            return this;
        }

        /**
         * The clock for latency decay, ejection and slow start; a {@code MeshClient} uses its own instead. Default:
         * {@link Ticker#system()}.
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * The random source for random picks and power-of-two draws; must be thread-safe if the balancer is used by
         * several threads. Default: the calling thread's {@code ThreadLocalRandom}.
         */
        public Builder random(RandomGenerator random) {
            this.random = requireNonNull(random, "random");
            return this;
        }

        /**
         * Builds the config.
         *
         * @throws IllegalArgumentException naming the field and its range when a value is out of range
         */
        public BalancerConfig build() {
            Checks.range("ewmaDecayTime", ewmaDecayTime, Duration.ofMillis(1), Duration.ofHours(1));
            Checks.range("failurePenalty", failurePenalty, Duration.ZERO, Duration.ofHours(1));
            Checks.range("failurePenaltyWindow", failurePenaltyWindow, Duration.ofMillis(1), Duration.ofHours(1));
            Checks.range("latencyProbeInterval", latencyProbeInterval, Duration.ZERO, Duration.ofHours(1));
            Checks.range("minRingSize", minRingSize, 1, 8_388_608);
            Checks.range("panicThresholdPercent", panicThresholdPercent, 0, 100);
            Checks.range("slowStartWindow", slowStartWindow, Duration.ZERO, Duration.ofHours(1));
            Checks.range("slowStartMinWeightPercent", slowStartMinWeightPercent, 1, 100);
            Checks.range("minLocalHealthyPercent", minLocalHealthyPercent, 1, 100);
            if (localZone != null && localZone.isEmpty()) {
                throw new IllegalArgumentException("localZone: '' (expected: a zone name, or null for no zones)");
            }
            return new BalancerConfig(this);
        }
    }
}
