package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.Nullable;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import okhttp3.Response;

/** Reads a response's {@code Retry-After}: delay-seconds or an HTTP date (RFC 9110, 10.2.3). */
final class RetryAfter {

    private RetryAfter() {
    }

    /** The wait the response asks for in nanoseconds (0 for a date in the past), or -1 when it asks none. */
    static long nanos(@Nullable Response response) {
        if (response == null) {
            return -1;
        }
        String value = response.header("Retry-After");
        return value == null ? -1 : parse(value.trim(), Instant.now());
    }

    static long parse(String value, Instant now) {
        if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
            try {
                return Duration.ofSeconds(Long.parseLong(value)).toNanos();
            } catch (NumberFormatException | ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Math.max(0, Duration.between(now, at).toNanos());
        } catch (DateTimeParseException | ArithmeticException e) {
            return -1;
        }
    }
}
