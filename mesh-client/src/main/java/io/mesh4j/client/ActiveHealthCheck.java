package io.mesh4j.client;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.internal.Checks;
import java.time.Duration;

/**
 * Active health checking for one service: every {@link #interval()} the client sends {@code GET} {@link #path()} to
 * each instance; an instance that fails {@link #unhealthyThreshold()} checks in a row (no answer within
 * {@link #timeout()}, or a status outside 200 to 299) stops being picked until it passes
 * {@link #healthyThreshold()} checks in a row. Instances start healthy. Checking starts when the client first calls
 * the service, and stops when the client is closed. This works alongside discovery's own health
 * and the balancer's outlier ejection, and under its panic threshold.
 *
 * <p>Checks run on the client's scheduler thread and are sent asynchronously, so one slow instance does not delay
 * the others. Immutable and thread-safe.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>{@code path}</td><td>{@code /health}</td><td>starts with {@code /}</td></tr>
 *   <tr><td>{@code interval}</td><td>10 s</td><td>10 ms to 1 h</td></tr>
 *   <tr><td>{@code timeout}</td><td>2 s</td><td>1 ms to {@code interval}</td></tr>
 *   <tr><td>{@code healthyThreshold}</td><td>2</td><td>1 to 100</td></tr>
 *   <tr><td>{@code unhealthyThreshold}</td><td>3</td><td>1 to 100</td></tr>
 * </table>
 */
public final class ActiveHealthCheck {

    private static final ActiveHealthCheck DEFAULTS = new Builder().build();

    private final String path;
    private final Duration interval;
    private final Duration timeout;
    private final int healthyThreshold;
    private final int unhealthyThreshold;

    private ActiveHealthCheck(Builder builder) {
        this.path = builder.path;
        this.interval = builder.interval;
        this.timeout = builder.timeout;
        this.healthyThreshold = builder.healthyThreshold;
        this.unhealthyThreshold = builder.unhealthyThreshold;
    }

    public static ActiveHealthCheck ofDefaults() {
        return DEFAULTS;
    }

    public static Builder custom() {
        return new Builder();
    }

    public static Builder from(ActiveHealthCheck base) {
        requireNonNull(base, "base");
        return new Builder().path(base.path).interval(base.interval).timeout(base.timeout)
                .healthyThreshold(base.healthyThreshold).unhealthyThreshold(base.unhealthyThreshold);
    }

    public String path() {
        return path;
    }

    public Duration interval() {
        return interval;
    }

    public Duration timeout() {
        return timeout;
    }

    public int healthyThreshold() {
        return healthyThreshold;
    }

    public int unhealthyThreshold() {
        return unhealthyThreshold;
    }

    @Override
    public String toString() {
        return "ActiveHealthCheck{GET " + path + " every " + interval + ", timeout " + timeout + ", healthy after "
                + healthyThreshold + ", unhealthy after " + unhealthyThreshold + '}';
    }

    /** Builds {@link ActiveHealthCheck}. Not thread-safe; {@link #build()} checks ranges. */
    public static final class Builder {
        private String path = "/health";
        private Duration interval = Duration.ofSeconds(10);
        private Duration timeout = Duration.ofSeconds(2);
        private int healthyThreshold = 2;
        private int unhealthyThreshold = 3;

        private Builder() {
        }

        /** The path to GET, starting with {@code /}, query allowed. Default: {@code /health}. */
        public Builder path(String path) {
            this.path = requireNonNull(path, "path");
            return this;
        }

        /** Time between two checks of one instance, 10 ms to 1 h. Default: 10 s. */
        public Builder interval(Duration interval) {
            this.interval = requireNonNull(interval, "interval");
            return this;
        }

        /** How long one check may take, 1 ms to {@code interval}. Default: 2 s. */
        public Builder timeout(Duration timeout) {
            this.timeout = requireNonNull(timeout, "timeout");
            return this;
        }

        /** Passed checks in a row that make an unhealthy instance healthy, 1 to 100. Default: 2. */
        public Builder healthyThreshold(int healthyThreshold) {
            this.healthyThreshold = healthyThreshold;
            return this;
        }

        /** Failed checks in a row that make a healthy instance unhealthy, 1 to 100. Default: 3. */
        public Builder unhealthyThreshold(int unhealthyThreshold) {
            this.unhealthyThreshold = unhealthyThreshold;
            return this;
        }

        /**
         * Builds the config.
         *
         * @throws IllegalArgumentException naming the field and its range when a value is out of range
         */
        public ActiveHealthCheck build() {
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path: '" + path + "' (expected: starts with '/')");
            }
            Checks.range("interval", interval, Duration.ofMillis(10), Duration.ofHours(1));
            Checks.range("timeout", timeout, Duration.ofMillis(1), interval);
            Checks.range("healthyThreshold", healthyThreshold, 1, 100);
            Checks.range("unhealthyThreshold", unhealthyThreshold, 1, 100);
            return new ActiveHealthCheck(this);
        }
    }
}
