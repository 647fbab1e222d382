package io.mesh4j.client.internal;

import io.mesh4j.api.balancer.LoadBalancer;
import java.util.HashSet;
import java.util.Set;

/**
 * Combines what the client learns about each instance's health from several sources (active health checks,
 * per-instance circuit breakers) into the one flag the balancer takes: an instance is healthy while no source says
 * otherwise. The balancer's own outlier ejection and panic threshold apply on top.
 *
 * <p>Thread-safe: reports are rare (state changes only) and serialized by this object's monitor.
 */
final class InstanceHealth {

    /** Where a health report comes from. */
    enum Source {
        ACTIVE_CHECK,
        CIRCUIT_BREAKER
    }

    private final LoadBalancer balancer;
    private final Set<String> failingChecks = new HashSet<>();
    private final Set<String> openBreakers = new HashSet<>();

    InstanceHealth(LoadBalancer balancer) {
        this.balancer = balancer;
    }

    synchronized void report(String instanceId, Source source, boolean healthy) {
        boolean before = healthy(instanceId);
        Set<String> unhealthy = source == Source.ACTIVE_CHECK ? failingChecks : openBreakers;
        if (healthy) {
            unhealthy.remove(instanceId);
        } else {
            unhealthy.add(instanceId);
        }
        boolean after = healthy(instanceId);
        if (before != after) {
            balancer.updateHealth(instanceId, after);
        }
    }

    /** Forgets instances that left the set. */
    synchronized void retain(Set<String> instanceIds) {
        failingChecks.retainAll(instanceIds);
        openBreakers.retainAll(instanceIds);
    }

    private boolean healthy(String instanceId) {
        return !failingChecks.contains(instanceId) && !openBreakers.contains(instanceId);
    }
}
