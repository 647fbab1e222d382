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
            throw new IllegalArgumentException(field + ": " + value + " (expected: " + min + " to " + max + ")");
        }
    }
}
