package io.mesh4j.api.balancer;

/**
 * Receives the start and end of every attempt sent to one instance. The client calls {@link #onAttemptStart()}
 * just before sending and exactly one {@link #onAttemptEnd} afterwards, from the thread that ran the attempt.
 *
 * <p>Implementations are called on the request path by many threads at once: they must be thread-safe, must not
 * block or take locks, and should not allocate.
 */
public interface AttemptFeedback {

    /** An attempt to this instance is about to be sent. */
    void onAttemptStart();

    /**
     * The attempt started by the matching {@link #onAttemptStart()} has ended.
     *
     * @param endNanos a reading of the client's ticker when the attempt ended, in the same time base as the
     *     balancer's own ticker ({@link System#nanoTime()} unless both are configured otherwise), so that a balancer
     *     that keeps time-weighted state needs no clock read of its own on the request path
     * @param latencyNanos time from start to the response headers, or to the failure
     * @param outcome how it ended
     */
    void onAttemptEnd(long endNanos, long latencyNanos, AttemptOutcome outcome);
}
