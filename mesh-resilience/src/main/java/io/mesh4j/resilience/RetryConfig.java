package io.mesh4j.resilience;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.internal.Checks;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * When a failed attempt is tried again, on another instance. Immutable and thread-safe.
 *
 * <p>What is retried:
 * <ul>
 *   <li>idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) after a connect failure, a reset or timeout
 *       before a response, or a status in {@link #retryStatuses()};</li>
 *   <li>POST and PATCH only after a connect failure (the request provably never reached a server), unless
 *       {@link #retryNonIdempotent()} is set here or the request is marked idempotent by the caller;</li>
 *   <li>never a one-shot body once it was sent;</li>
 *   <li>never beyond the {@linkplain #budgetPercent() retry budget}: retries may add at most that share of the
 *       service's requests over {@link #budgetWindow()}, plus {@link #budgetMinPerSecond()} per second; when it is
 *       spent, the original result is returned at once. An attempt that provably never reached a server (a refused
 *       connection, a failed TLS handshake) is retried without drawing on the budget, which caps the load retries
 *       add to the service, since it added none; {@link #maxAttempts()} still bounds it.</li>
 * </ul>
 * Waits between attempts use exponential backoff with full jitter: a random time between zero and
 * {@code min(backoffMax, backoffBase * 2^(retry - 1))}. A 429 or 503 with {@code Retry-After} waits what the server
 * asked instead, if that is at most {@link #retryAfterMax()}; if the server asks for longer, its answer is returned.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>{@code maxAttempts}</td><td>3</td><td>1 (no retries) to 10</td></tr>
 *   <tr><td>{@code retryStatuses}</td><td>502, 503, 504</td><td>500 to 599, and 429</td></tr>
 *   <tr><td>{@code retryNonIdempotent}</td><td>false</td><td></td></tr>
 *   <tr><td>{@code backoffBase}</td><td>25 ms</td><td>0 to 1 min</td></tr>
 *   <tr><td>{@code backoffMax}</td><td>1 s</td><td>{@code backoffBase} to 5 min</td></tr>
 *   <tr><td>{@code retryAfterMax}</td><td>10 s</td><td>0 to 5 min</td></tr>
 *   <tr><td>{@code budgetPercent}</td><td>20</td><td>0 to 1,000</td></tr>
 *   <tr><td>{@code budgetMinPerSecond}</td><td>10</td><td>0 to 100,000</td></tr>
 *   <tr><td>{@code budgetWindow}</td><td>10 s</td><td>1 s to 60 s, whole seconds</td></tr>
 * </table>
 */
public final class RetryConfig {

    private static final RetryConfig DEFAULTS = new Builder().build();
    private static final RetryConfig DISABLED = new Builder().maxAttempts(1).build();

    private final int maxAttempts;
    private final Set<Integer> retryStatuses;
    private final boolean retryNonIdempotent;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final Duration retryAfterMax;
    private final int budgetPercent;
    private final int budgetMinPerSecond;
    private final Duration budgetWindow;

    private RetryConfig(Builder builder) {
        this.maxAttempts = builder.maxAttempts;
        this.retryStatuses = Set.copyOf(builder.retryStatuses);
        this.retryNonIdempotent = builder.retryNonIdempotent;
        this.backoffBase = builder.backoffBase;
        this.backoffMax = builder.backoffMax;
        this.retryAfterMax = builder.retryAfterMax;
        this.budgetPercent = builder.budgetPercent;
        this.budgetMinPerSecond = builder.budgetMinPerSecond;
        this.budgetWindow = builder.budgetWindow;
    }

    public static RetryConfig ofDefaults() {
        return DEFAULTS;
    }

    /** No retries: every call makes one attempt. */
    public static RetryConfig disabled() {
        return DISABLED;
    }

    public static Builder custom() {
        return new Builder();
    }

    public static Builder from(RetryConfig base) {
        requireNonNull(base, "base");
        return new Builder().maxAttempts(base.maxAttempts).retryStatuses(base.retryStatuses)
                .retryNonIdempotent(base.retryNonIdempotent).backoffBase(base.backoffBase)
                .backoffMax(base.backoffMax).retryAfterMax(base.retryAfterMax).budgetPercent(base.budgetPercent)
                .budgetMinPerSecond(base.budgetMinPerSecond).budgetWindow(base.budgetWindow);
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Set<Integer> retryStatuses() {
        return retryStatuses;
    }

    public boolean retryNonIdempotent() {
        return retryNonIdempotent;
    }

    public Duration backoffBase() {
        return backoffBase;
    }

    public Duration backoffMax() {
        return backoffMax;
    }

    public Duration retryAfterMax() {
        return retryAfterMax;
    }

    public int budgetPercent() {
        return budgetPercent;
    }

    public int budgetMinPerSecond() {
        return budgetMinPerSecond;
    }

    public Duration budgetWindow() {
        return budgetWindow;
    }

    @Override
    public String toString() {
        return "RetryConfig{maxAttempts=" + maxAttempts + ", retryStatuses=" + new TreeSet<>(retryStatuses)
                + ", retryNonIdempotent=" + retryNonIdempotent + ", backoff=" + backoffBase + ".." + backoffMax
                + ", retryAfterMax=" + retryAfterMax + ", budget=" + budgetPercent + "% + " + budgetMinPerSecond
                + "/s over " + budgetWindow + '}';
    }

    /** Builds {@link RetryConfig}. Not thread-safe; {@link #build()} checks ranges. */
    public static final class Builder {
        private int maxAttempts = 3;
        private Set<Integer> retryStatuses = Set.of(502, 503, 504);
        private boolean retryNonIdempotent;
        private Duration backoffBase = Duration.ofMillis(25);
        private Duration backoffMax = Duration.ofSeconds(1);
        private Duration retryAfterMax = Duration.ofSeconds(10);
        private int budgetPercent = 20;
        private int budgetMinPerSecond = 10;
        private Duration budgetWindow = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * Attempts per call, the first included, 1 to 10: no retry starts once the call has sent this many, hedges
         * included (hedges themselves are bounded by {@code HedgingConfig.maxHedges}). Default: 3.
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Response statuses that are retried, 500 to 599 or 429. Default: 502, 503, 504. */
        public Builder retryStatuses(Set<Integer> retryStatuses) {
            this.retryStatuses = Set.copyOf(requireNonNull(retryStatuses, "retryStatuses"));
            return this;
        }

        /** Whether POST and PATCH are retried like idempotent methods. Default: false. */
        public Builder retryNonIdempotent(boolean retryNonIdempotent) {
            this.retryNonIdempotent = retryNonIdempotent;
            return this;
        }

        /** The first retry's longest wait, 0 to 1 min. Default: 25 ms. */
        public Builder backoffBase(Duration backoffBase) {
            this.backoffBase = requireNonNull(backoffBase, "backoffBase");
            return this;
        }

        /** The longest wait, {@code backoffBase} to 5 min. Default: 1 s. */
        public Builder backoffMax(Duration backoffMax) {
            this.backoffMax = requireNonNull(backoffMax, "backoffMax");
            return this;
        }

        /** The longest {@code Retry-After} honoured, 0 to 5 min. Default: 10 s. */
        public Builder retryAfterMax(Duration retryAfterMax) {
            this.retryAfterMax = requireNonNull(retryAfterMax, "retryAfterMax");
            return this;
        }

        /** Retries as a share of requests, 0 to 1,000 percent. Default: 20. */
        public Builder budgetPercent(int budgetPercent) {
            this.budgetPercent = budgetPercent;
            return this;
        }

        /** Retries allowed per second whatever the traffic, 0 to 100,000. Default: 10. */
        public Builder budgetMinPerSecond(int budgetMinPerSecond) {
            this.budgetMinPerSecond = budgetMinPerSecond;
            return this;
        }

        /** How far back the budget counts, 1 s to 60 s in whole seconds. Default: 10 s. */
        public Builder budgetWindow(Duration budgetWindow) {
            this.budgetWindow = requireNonNull(budgetWindow, "budgetWindow");
            return this;
        }

        /**
         * Builds the config.
         *
         * @throws IllegalArgumentException naming the field and its range when a value is out of range
         */
        public RetryConfig build() {
            Checks.range("maxAttempts", maxAttempts, 1, 10);
            for (int status : retryStatuses) {
                if (status != 429 && (status < 500 || status > 599)) {
                    throw new IllegalArgumentException("retryStatuses: " + status + " (expected: 500 to 599, or 429)");
                }
            }
            Checks.range("backoffBase", backoffBase, Duration.ZERO, Duration.ofMinutes(1));
            Checks.range("backoffMax", backoffMax, backoffBase, Duration.ofMinutes(5));
            Checks.range("retryAfterMax", retryAfterMax, Duration.ZERO, Duration.ofMinutes(5));
            Checks.range("budgetPercent", budgetPercent, 0, 1_000);
            Checks.range("budgetMinPerSecond", budgetMinPerSecond, 0, 100_000);
            Checks.range("budgetWindow", budgetWindow, Duration.ofSeconds(1), Duration.ofSeconds(60));
            if (budgetWindow.toMillis() % 1_000 != 0) {
                throw new IllegalArgumentException("budgetWindow: " + Checks.format(budgetWindow) + " (expected: whole seconds)");
            }
            return new RetryConfig(this);
        }
    }
}
