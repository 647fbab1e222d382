package io.mesh4j.client.internal;

import java.util.Locale;

/** Why an attempt was sent, for the {@code kind} tag and the {@code mesh.attempt.kind} span attribute. */
enum AttemptKind {
    /** The call's first attempt. */
    FIRST,
    /** An attempt after an earlier one failed. */
    RETRY,
    /** A backup sent while an earlier attempt was still running. */
    HEDGE;

    private final String tag = name().toLowerCase(Locale.ROOT);

    String tag() {
        return tag;
    }
}
