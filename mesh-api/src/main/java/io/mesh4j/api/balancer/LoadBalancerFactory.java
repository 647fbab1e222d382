package io.mesh4j.api.balancer;

import io.mesh4j.api.Ticker;

/**
 * Creates a {@link LoadBalancer} per service. Factories are immutable, thread-safe and shareable between clients;
 * each call returns a new, independent balancer.
 */
public interface LoadBalancerFactory {

    /** A short stable name for logs, metrics and traces, such as {@code round_robin}. */
    String name();

    /** Creates a balancer for {@code service}. */
    LoadBalancer newLoadBalancer(String service);

    /**
     * Creates a balancer for {@code service} that reads time from {@code ticker}, the client's one clock, so that
     * the end times the client reports ({@link AttemptFeedback#onAttemptEnd}) and the balancer's own readings share
     * one time base, and tests that drive the client's ticker drive the balancer too. Default: ignores the ticker
     * and calls {@link #newLoadBalancer(String)}; balancers that keep time-weighted state should override it.
     */
    default LoadBalancer newLoadBalancer(String service, Ticker ticker) {
        return newLoadBalancer(service);
    }
}
