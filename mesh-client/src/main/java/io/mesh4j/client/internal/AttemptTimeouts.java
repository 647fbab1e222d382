package io.mesh4j.client.internal;

import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;

/**
 * The connect, write and read timeouts of one attempt. With a per-try timeout, each is the smaller of that and the
 * time left in the call's deadline; without one, the client's own timeouts stay, each cut to the time left: a
 * deadline only ever shortens the client's timeouts. Applied to the attempt's chain, so OkHttp itself enforces them
 * wherever the attempt is sent. Kept by an attempt as two fields, so no object is made per attempt.
 */
final class AttemptTimeouts {

    /** No timeout of the attempt's own: the chain's stay. */
    static final int NONE = 0;

    private AttemptTimeouts() {
    }

    /**
     * The timeout in milliseconds for a per-try timeout of {@code perTryNanos} (0: none), {@code leftNanos} left.
     */
    static int millis(long perTryNanos, long leftNanos) {
        if (perTryNanos == 0 && leftNanos == Long.MAX_VALUE) {
            return NONE;
        }
        long nanos = perTryNanos == 0 ? leftNanos : Math.min(perTryNanos, leftNanos);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, nanos / 1_000_000));
    }

    /**
     * {@code chain} with timeouts of {@code millis}: each replaces the chain's when {@code exact} (a per-try
     * timeout), else only when shorter. The same chain when that changes nothing.
     */
    static Interceptor.Chain apply(Interceptor.Chain chain, int millis, boolean exact) {
        if (millis == NONE) {
            return chain;
        }
        Interceptor.Chain timed = chain;
        if (replaces(chain.connectTimeoutMillis(), millis, exact)) {
            timed = timed.withConnectTimeout(millis, TimeUnit.MILLISECONDS);
        }
        if (replaces(chain.writeTimeoutMillis(), millis, exact)) {
            timed = timed.withWriteTimeout(millis, TimeUnit.MILLISECONDS);
        }
        if (replaces(chain.readTimeoutMillis(), millis, exact)) {
            timed = timed.withReadTimeout(millis, TimeUnit.MILLISECONDS);
        }
        return timed;
    }

    /** Whether {@code millis} replaces a chain timeout of {@code current} (0: none): always if exact, else if less. */
    private static boolean replaces(int current, int millis, boolean exact) {
        return exact ? current != millis : current == 0 || current > millis;
    }
}
