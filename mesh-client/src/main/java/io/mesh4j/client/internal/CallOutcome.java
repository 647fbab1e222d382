package io.mesh4j.client.internal;

import io.mesh4j.api.balancer.AttemptOutcome;
import java.util.Locale;

/** How one logical call ended, for the {@code outcome} tag, the access log and span status. */
enum CallOutcome {
    SUCCESS,
    CLIENT_ERROR,
    SERVER_ERROR,
    TIMEOUT,
    NETWORK_ERROR,
    CANCELLED,
    NO_INSTANCE,
    CIRCUIT_OPEN,
    RATE_LIMITED,
    CONCURRENCY_LIMITED,
    REQUEST_TOO_LARGE;

    private final String tag = name().toLowerCase(Locale.ROOT);

    String tag() {
        return tag;
    }

    static CallOutcome ofStatus(int code) {
        return code >= 500 ? SERVER_ERROR : code >= 400 ? CLIENT_ERROR : SUCCESS;
    }

    static CallOutcome ofFailure(AttemptOutcome outcome) {
        switch (outcome) {
            case TIMEOUT:
                return TIMEOUT;
            case CANCELLED:
            case ABANDONED:
                return CANCELLED;
            default:
                return NETWORK_ERROR;
        }
    }
}
