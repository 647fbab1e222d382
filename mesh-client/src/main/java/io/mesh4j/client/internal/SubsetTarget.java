package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.routing.Subset;
import java.util.ArrayList;
import java.util.List;

/**
 * The instances one route sends to, with their own balancer: one subset of the service, or the whole service. A
 * subset's balancer is kept across policy changes for as long as a policy declares a subset equal to it, so its
 * latency averages and ejections survive a swap.
 *
 * <p>Thread-safe: {@link #onInstances} is called under the service's monitor; request threads only read.
 */
final class SubsetTarget {

    @Nullable
    private final Subset subset;
    private final LoadBalancer balancer;
    private List<ServiceInstance> instances = List.of();
    private volatile int size;

    /** @param subset the subset's selector, {@code null} for the whole service */
    SubsetTarget(@Nullable Subset subset, LoadBalancer balancer) {
        this.subset = subset;
        this.balancer = balancer;
    }

    /** The subset's name, {@code null} for the whole service. */
    @Nullable
    String name() {
        return subset == null ? null : subset.name();
    }

    LoadBalancer balancer() {
        return balancer;
    }

    /** The current snapshot of the target's balancer. */
    Picker picker() {
        return balancer.picker();
    }

    /** How many instances the target holds now. */
    int size() {
        return size;
    }

    /** Hands the balancer the instances of {@code all} this target selects, when they changed. */
    void onInstances(List<ServiceInstance> all) {
        List<ServiceInstance> selected;
        if (subset == null) {
            selected = all;
        } else {
            selected = new ArrayList<>(all.size());
            for (ServiceInstance instance : all) {
                if (subset.selects(instance)) {
                    selected.add(instance);
                }
            }
            selected = List.copyOf(selected);
        }
        if (selected.equals(instances)) {
            return;
        }
        instances = selected;
        size = selected.size();
        balancer.updateInstances(selected);
    }

    @Override
    public String toString() {
        return "SubsetTarget{" + (subset == null ? "whole service" : subset) + ", " + size + " instances}";
    }
}
