package io.mesh4j.api;

/**
 * A source of nanosecond time for measuring intervals, injectable so that tests drive time by hand instead of
 * sleeping. Only differences between two readings mean anything.
 *
 * <p>Implementations must be thread-safe and cheap: balancers read the ticker on the request path.
 */
@FunctionalInterface
public interface Ticker {

    /** The ticker backed by {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }

    /** The current reading in nanoseconds. */
    long read();
}
