package io.mesh4j.lb;

import io.mesh4j.api.balancer.LoadBalancerFactory;
import io.mesh4j.lb.internal.RoundRobinLoadBalancer;

/**
 * Factories for the built-in balancers. Each returned factory is immutable and can be shared by services and
 * clients; every balancer it creates keeps its own state.
 *
 * <pre>{@code
 * MeshClient client = MeshClient.builder()
 *     .discovery(discovery)
 *     .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build())
 *     .build();
 * }</pre>
 */
public final class LoadBalancers {

    private LoadBalancers() {
    }

    /**
     * Round robin: each instance in turn, in discovery order. A retry skips the instances its call already tried.
     * Picking is one atomic increment and allocates nothing.
     */
    public static LoadBalancerFactory roundRobin() {
        return RoundRobinLoadBalancer.FACTORY;
    }
}
