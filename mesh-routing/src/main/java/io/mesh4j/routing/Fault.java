package io.mesh4j.routing;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.internal.Checks;
import java.time.Duration;

/**
 * Faults a route injects on purpose, to test how callers cope (Envoy's fault filter, Istio's {@code fault}): a delay
 * before a share of its requests is sent, and an abort that answers a share of them with a status without touching
 * the network. Each is decided per call with its own draw; a call can be both delayed and aborted. Off unless a
 * route sets one.
 *
 * <pre>{@code
 * Fault fault = Fault.builder().delay(Duration.ofMillis(300), 10).abort(503, 5).build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Fault {

    private final Duration delay;
    private final double delayPercent;
    private final int abortStatus;
    private final double abortPercent;

    private Fault(Builder builder) {
        this.delay = builder.delay;
        this.delayPercent = builder.delayPercent;
        this.abortStatus = builder.abortStatus;
        this.abortPercent = builder.abortPercent;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How long a delayed request waits before it is sent; {@link Duration#ZERO} when no request is delayed. */
    public Duration delay() {
        return delay;
    }

    /** The share of requests delayed, 0 to 100. */
    public double delayPercent() {
        return delayPercent;
    }

    /** The status an aborted request is answered with; 0 when no request is aborted. */
    public int abortStatus() {
        return abortStatus;
    }

    /** The share of requests aborted, 0 to 100. */
    public double abortPercent() {
        return abortPercent;
    }

    /** Whether a call whose delay draw is {@code random} (any long) is delayed. */
    public boolean delays(long random) {
        return hits(delayPercent, random);
    }

    /** Whether a call whose abort draw is {@code random} (any long) is aborted. */
    public boolean aborts(long random) {
        return hits(abortPercent, random);
    }

    /** Whether a uniform draw in [0, 100) taken from the top 53 bits of {@code random} falls below {@code percent}. */
    static boolean hits(double percent, long random) {
        return percent > 0 && (random >>> 11) * 0x1.0p-53 * 100 < percent;
    }

    @Override
    public String toString() {
        return "Fault{" + (delayPercent > 0 ? "delay " + Checks.format(delay) + " for " + delayPercent + "%" : "")
                + (delayPercent > 0 && abortPercent > 0 ? ", " : "")
                + (abortPercent > 0 ? "abort " + abortStatus + " for " + abortPercent + "%" : "") + '}';
    }

    /** Builds a {@link Fault}. Not thread-safe. */
    public static final class Builder {
        private Duration delay = Duration.ZERO;
        private double delayPercent;
        private int abortStatus;
        private double abortPercent;

        private Builder() {
        }

        /** Delays {@code percent} (more than 0, up to 100) of requests by {@code delay} (1 ms to 1 h). */
        public Builder delay(Duration delay, double percent) {
            requireNonNull(delay, "delay");
            Checks.range("delay", delay, Duration.ofMillis(1), Duration.ofHours(1));
            this.delay = delay;
            this.delayPercent = percent("delayPercent", percent);
            return this;
        }

        /** Answers {@code percent} (more than 0, up to 100) of requests with {@code status} (200 to 599). */
        public Builder abort(int status, double percent) {
            Checks.range("abortStatus", status, 200, 599);
            this.abortStatus = status;
            this.abortPercent = percent("abortPercent", percent);
            return this;
        }

        private static double percent(String field, double percent) {
            if (!(percent > 0 && percent <= 100)) {
                throw new IllegalArgumentException(field + ": " + percent + " (expected: more than 0, up to 100)");
            }
            return percent;
        }

        /**
         * Builds the fault.
         *
         * @throws IllegalArgumentException when it injects nothing
         */
        public Fault build() {
            if (delayPercent == 0 && abortPercent == 0) {
                throw new IllegalArgumentException("fault: nothing to inject (expected: delay(...) or abort(...))");
            }
            return new Fault(this);
        }
    }
}
