package io.mesh4j.discovery.consul;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The wait before querying Consul again after failures: exponential from a base up to a ceiling, with jitter over
 * the upper half so that many clients failing together do not come back together.
 */
final class ErrorBackoff {

    private ErrorBackoff() {
    }

    /** The wait after {@code consecutiveErrors} (1 or more) failures in a row, in nanoseconds. */
    static long delayNanos(Duration base, Duration max, int consecutiveErrors) {
        long first = base.toNanos();
        long ceiling = consecutiveErrors >= 30 ? max.toNanos()
                : Math.min(max.toNanos(), first << Math.min(consecutiveErrors - 1, 30));
        return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }
}
