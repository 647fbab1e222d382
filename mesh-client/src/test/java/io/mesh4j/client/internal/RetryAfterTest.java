package io.mesh4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private final Instant now = Instant.parse("2026-11-25T10:00:00Z");

    @Test
    void shouldReadDelaySecondsAndHttpDatesWhenValid() {
        assertThat(RetryAfter.parse("120", now)).isEqualTo(Duration.ofSeconds(120).toNanos());
        assertThat(RetryAfter.parse("0", now)).isZero();
        assertThat(RetryAfter.parse("Wed, 25 Nov 2026 10:00:30 GMT", now)).isEqualTo(Duration.ofSeconds(30).toNanos());
        assertThat(RetryAfter.parse("Wed, 25 Nov 2026 09:00:00 GMT", now)).isZero();
    }

    @Test
    void shouldIgnoreValueWhenMalformed() {
        assertThat(RetryAfter.parse("soon", now)).isEqualTo(-1);
        assertThat(RetryAfter.parse("-5", now)).isEqualTo(-1);
        assertThat(RetryAfter.parse("99999999999999999999", now)).isEqualTo(Long.MAX_VALUE);
    }
}
