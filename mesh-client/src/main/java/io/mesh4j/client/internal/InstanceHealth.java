package io.mesh4j.client.internal;

import io.mesh4j.api.balancer.LoadBalancer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Combines what the client learns about each instance's health from several sources (active health checks,
 * per-instance circuit breakers) into the one flag balancers take, and tells every balancer of the service: the
 * whole service's and each subset's. An instance is healthy while no source says otherwise. The balancers' own
 * outlier ejection and panic threshold apply on top.
 *
 * <p>Thread-safe: reports are rare (state changes only) and serialized by this object's monitor, which also guards
 * the list of balancers, so a balancer attached while a report arrives misses nothing.
 */
final class InstanceHealth {

    /** Where a health report comes from. */
    enum Source {
        ACTIVE_CHECK,
        CIRCUIT_BREAKER
    }

    private final List<LoadBalancer> balancers = new ArrayList<>(2);
    private final Set<String> failingChecks = new HashSet<>();
    private final Set<String> openBreakers = new HashSet<>();

    InstanceHealth(LoadBalancer balancer) {
        balancers.add(balancer);
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
            for (LoadBalancer balancer : balancers) {
                balancer.updateHealth(instanceId, after);
            }
        }
    }

    /**
     * Tells {@code balancer}, which already holds its instances, of every instance that is unhealthy now, and of
     * every change from now on.
     */
    synchronized void attach(LoadBalancer balancer) {
        Set<String> unhealthy = new HashSet<>(failingChecks);
        unhealthy.addAll(openBreakers);
        for (String instanceId : unhealthy) {
            balancer.updateHealth(instanceId, false);
        }
        balancers.add(balancer);
    }

    /** Stops telling {@code balancer}. */
    synchronized void detach(LoadBalancer balancer) {
        balancers.remove(balancer);
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
