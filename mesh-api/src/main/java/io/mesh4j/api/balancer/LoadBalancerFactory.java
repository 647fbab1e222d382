package io.mesh4j.api.balancer;

/**
 * Creates a {@link LoadBalancer} per service. Factories are immutable, thread-safe and shareable between clients;
 * each call returns a new, independent balancer.
 */
public interface LoadBalancerFactory {

    /** A short stable name for logs, metrics and traces, such as {@code round_robin}. */
    String name();

    /** Creates a balancer for {@code service}. */
    LoadBalancer newLoadBalancer(String service);
}
