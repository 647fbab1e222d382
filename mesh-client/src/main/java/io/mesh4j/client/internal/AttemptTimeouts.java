package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.Nullable;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;

/**
 * The connect, write and read timeouts of one attempt. With a per-try timeout, each is the smaller of that and the
 * time left in the call's deadline; without one, the client's own timeouts stay, each cut to the time left: a
 * deadline only ever shortens the client's timeouts. Applied to the attempt's chain, so OkHttp itself enforces them
 * wherever the attempt is sent. Immutable.
 */
final class AttemptTimeouts {

    private final int millis;
    private final boolean exact;

    private AttemptTimeouts(int millis, boolean exact) {
        this.millis = millis;
        this.exact = exact;
    }

    /** The timeouts for a per-try timeout of {@code perTryNanos} (0: none) and {@code leftNanos} left, or {@code null}. */
    @Nullable
    static AttemptTimeouts of(long perTryNanos, long leftNanos) {
        if (perTryNanos == 0 && leftNanos == Long.MAX_VALUE) {
            return null;
        }
        long nanos = perTryNanos == 0 ? leftNanos : Math.min(perTryNanos, leftNanos);
        return new AttemptTimeouts((int) Math.max(1, Math.min(Integer.MAX_VALUE, nanos / 1_000_000)),
                perTryNanos != 0);
    }

    /** {@code chain} with these timeouts; the same chain when they change nothing. */
    Interceptor.Chain apply(Interceptor.Chain chain) {
        Interceptor.Chain timed = chain;
        if (replaces(chain.connectTimeoutMillis())) {
            timed = timed.withConnectTimeout(millis, TimeUnit.MILLISECONDS);
        }
        if (replaces(chain.writeTimeoutMillis())) {
            timed = timed.withWriteTimeout(millis, TimeUnit.MILLISECONDS);
        }
        if (replaces(chain.readTimeoutMillis())) {
            timed = timed.withReadTimeout(millis, TimeUnit.MILLISECONDS);
        }
        return timed;
    }

    /** Whether these timeouts replace a chain timeout of {@code current} (0 is none): always when exact, else when shorter. */
    private boolean replaces(int current) {
        return exact ? current != millis : current == 0 || current > millis;
    }
}
