package io.mesh4j.lb;

/**
 * How a balancer chooses among the instances it considers healthy.
 */
public enum Algorithm {
    /** Each instance in turn. */
    ROUND_ROBIN,
    /** Uniformly at random. */
    RANDOM,
    /**
     * In proportion to {@link io.mesh4j.api.ServiceInstance#weight()}, interleaved (earliest-deadline-first order
     * computed once per snapshot), so a heavy instance does not get its share in one burst.
     */
    WEIGHTED_ROUND_ROBIN,
    /** Power of two choices over in-flight requests: draw two instances, take the one with fewer in flight. */
    LEAST_REQUEST,
    /**
     * Power of two choices over peak-EWMA cost (Finagle, Linkerd): latency estimate times (in flight + 1). The
     * estimate jumps up to a slow sample at once, decays towards faster samples and towards zero when idle, and
     * counts a failure as a slow sample, so fast errors do not attract traffic.
     */
    PEAK_EWMA,
    /**
     * Consistent hashing on the request's hash key (a ring with virtual nodes): the same key goes to the same
     * instance, and when one of N instances leaves only about 1/N of the keys move. Requests without a key are
     * spread at random.
     */
    RING_HASH
}
