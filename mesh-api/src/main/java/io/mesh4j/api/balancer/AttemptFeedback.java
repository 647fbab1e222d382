package io.mesh4j.api.balancer;

/**
 * Receives the start and end of every attempt sent to one instance. The client calls {@link #onAttemptStart()}
 * just before sending and exactly one {@link #onAttemptEnd} afterwards. An attempt that failed, or answered with a
 * server error, ends at once; one that answered otherwise ends when its response body has been read to the end or
 * closed (a success) or failed while being read (a truncated body or a reset: a failure), so that an instance that
 * sends good headers and broken bodies counts as failing, and in-flight counts cover the whole exchange.
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
     * @param endNanos a reading of the client's ticker when the attempt ended (for a response, when its body
     *     ended); a client creates its balancers with that same ticker
     *     ({@link LoadBalancerFactory#newLoadBalancer(String, io.mesh4j.api.Ticker)}), so that a balancer that keeps
     *     time-weighted state needs no clock read of its own on the request path
     * @param latencyNanos time from start to the response headers, or to the failure; for a body that failed, the
     *     time to its headers
     * @param outcome how it ended
     */
    void onAttemptEnd(long endNanos, long latencyNanos, AttemptOutcome outcome);
}
