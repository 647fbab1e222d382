package io.mesh4j.lb;

import java.time.Duration;

/** Range checks with messages that name the field and the expected range. */
final class Checks {

    private Checks() {
    }

    static void range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + ": " + value + " (expected: " + min + " to " + max + ")");
        }
    }

    static void range(String field, Duration value, Duration min, Duration max) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + ": " + value + " (expected: " + min + " to " + max + ")");
        }
    }
}
