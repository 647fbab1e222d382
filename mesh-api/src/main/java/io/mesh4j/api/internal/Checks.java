package io.mesh4j.api.internal;

import java.time.Duration;

/**
 * Range checks for config builders, with messages that name the field and the expected range, such as
 * {@code "weight: 0 (expected: 1 to 65535)"}. Not API: shared by Mesh4j's own modules only.
 */
public final class Checks {

    private Checks() {
    }

    public static void range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + ": " + value + " (expected: " + min + " to " + max + ")");
        }
    }

    public static void range(String field, Duration value, Duration min, Duration max) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + ": " + format(value) + " (expected: " + format(min) + " to "
                    + format(max) + ")");
        }
    }

    private static final long[] UNIT_NANOS = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L,
        1_000L, 1L};
    private static final String[] UNIT_NAMES = {"h", "min", "s", "ms", "us", "ns"};

    /**
     * A duration as people write it in messages: in the largest unit that shows it exactly, such as {@code 5ms},
     * {@code -5ms}, {@code 1500ms}, {@code 30s} or {@code 1h}; {@code 0} for zero.
     */
    public static String format(Duration duration) {
        long nanos;
        try {
            nanos = duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.toString();
        }
        if (nanos == 0) {
            return "0";
        }
        int unit = 0;
        while (nanos % UNIT_NANOS[unit] != 0) {
            unit++;
        }
        return nanos / UNIT_NANOS[unit] + UNIT_NAMES[unit];
    }
}
