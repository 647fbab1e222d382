package io.mesh4j.resilience;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.Checks;
import java.time.Duration;

/**
 * How long calls to a service may take: each attempt ({@link #perTryTimeout()}) and the whole call with all its
 * retries and waits ({@link #overallTimeout()}). Each attempt gets the smaller of its own timeout and the time left;
 * no retry starts once the time left is shorter than its wait. With {@link #deadlineHeader()} set, each attempt
 * tells the callee how many milliseconds are left, so it can give up in time too. Immutable and thread-safe.
 *
 * <p>The per-try timeout is applied as OkHttp's connect, write and read timeouts of that attempt, which bound each
 * network operation rather than the attempt as a whole: a server that trickles bytes can stretch an attempt past it.
 *
 * <p>The defaults bound a call to a hung instance the way a sidecar would: the overall 15 s is Envoy's default
 * route timeout, and each attempt keeps the client's own timeouts (10 s with OkHttp's defaults), so a call whose
 * first instance hangs still has 5 s for a retry elsewhere. The deadline only ever shortens a client's timeouts,
 * never lengthens them. Raise both for services that legitimately take longer.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>{@code perTryTimeout}</td><td>0: the OkHttp client's own connect, read and write timeouts (OkHttp's
 *   default: 10 s each)</td><td>0, or 1 ms to 1 h</td></tr>
 *   <tr><td>{@code overallTimeout}</td><td>15 s, or the per-try timeout when that is set longer</td><td>0 (none), or
 *   1 ms to 1 h, at least {@code perTryTimeout}</td></tr>
 *   <tr><td>{@code deadlineHeader}</td><td>none</td><td>a header name</td></tr>
 * </table>
 */
public final class TimeoutConfig {

    private static final TimeoutConfig DEFAULTS = new Builder().build();

    private final Duration perTryTimeout;
    private final Duration overallTimeout;
    @Nullable
    private final String deadlineHeader;

    private TimeoutConfig(Builder builder) {
        this.perTryTimeout = builder.perTryTimeout;
        this.overallTimeout = builder.overallTimeout;
        this.deadlineHeader = builder.deadlineHeader;
    }

    public static TimeoutConfig ofDefaults() {
        return DEFAULTS;
    }

    public static Builder custom() {
        return new Builder();
    }

    public static Builder from(TimeoutConfig base) {
        requireNonNull(base, "base");
        Builder builder = new Builder().perTryTimeout(base.perTryTimeout).deadlineHeader(base.deadlineHeader);
        builder.overallTimeout = base.overallTimeout;
        return builder;
    }

    /** Each attempt's timeout; zero leaves OkHttp's own timeouts in force. */
    public Duration perTryTimeout() {
        return perTryTimeout;
    }

    /** The whole call's deadline; zero for none. */
    public Duration overallTimeout() {
        return overallTimeout;
    }

    /** The request header that carries the milliseconds left, or {@code null} for none. */
    @Nullable
    public String deadlineHeader() {
        return deadlineHeader;
    }

    @Override
    public String toString() {
        return "TimeoutConfig{perTryTimeout=" + perTryTimeout + ", overallTimeout=" + overallTimeout
                + ", deadlineHeader=" + deadlineHeader + '}';
    }

    /** Builds {@link TimeoutConfig}. Not thread-safe; {@link #build()} checks ranges. */
    public static final class Builder {
        private Duration perTryTimeout = Duration.ZERO;
        private Duration overallTimeout = Duration.ofSeconds(15);
        private boolean overallTimeoutSet;
        @Nullable
        private String deadlineHeader;

        private Builder() {
        }

        /** Each attempt's timeout, 0 (the OkHttp client's own) or 1 ms to 1 h. Default: 0. */
        public Builder perTryTimeout(Duration perTryTimeout) {
            this.perTryTimeout = requireNonNull(perTryTimeout, "perTryTimeout");
            return this;
        }

        /**
         * The whole call's deadline, 0 (none) or 1 ms to 1 h, at least the per-try timeout. Default: 15 s, or the
         * per-try timeout when that is set longer.
         */
        public Builder overallTimeout(Duration overallTimeout) {
            this.overallTimeout = requireNonNull(overallTimeout, "overallTimeout");
            this.overallTimeoutSet = true;
            return this;
        }

        /** The header that tells the callee the milliseconds left; {@code null} for none. Default: none. */
        public Builder deadlineHeader(@Nullable String deadlineHeader) {
            this.deadlineHeader = deadlineHeader;
            return this;
        }

        /**
         * Builds the config.
         *
         * @throws IllegalArgumentException naming the field and its range when a value is out of range, or when the
         *     overall timeout set is shorter than the per-try timeout
         */
        public TimeoutConfig build() {
            if (!perTryTimeout.isZero()) {
                Checks.range("perTryTimeout", perTryTimeout, Duration.ofMillis(1), Duration.ofHours(1));
            }
            if (!overallTimeout.isZero()) {
                Checks.range("overallTimeout", overallTimeout, Duration.ofMillis(1), Duration.ofHours(1));
                if (!overallTimeoutSet && overallTimeout.compareTo(perTryTimeout) < 0) {
                    overallTimeout = perTryTimeout;
                }
                if (overallTimeout.compareTo(perTryTimeout) < 0) {
                    throw new IllegalArgumentException("overallTimeout: " + Checks.format(overallTimeout)
                            + " (expected: >= perTryTimeout " + Checks.format(perTryTimeout)
                            + ", as no attempt can outlast the call, or 0 for no deadline)");
                }
            }
            if (deadlineHeader != null && deadlineHeader.isBlank()) {
                throw new IllegalArgumentException("deadlineHeader: '" + deadlineHeader
                        + "' (expected: a header name, or null for none)");
            }
            return new TimeoutConfig(this);
        }
    }
}
