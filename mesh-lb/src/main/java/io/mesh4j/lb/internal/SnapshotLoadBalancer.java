package io.mesh4j.lb.internal;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.Picker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot discipline every built-in balancer shares: on each instance update it builds endpoints (keeping the
 * endpoint, and so its state, of every instance whose id stays), asks the subclass for an immutable picker over them,
 * and publishes that picker with one volatile write.
 *
 * <p>Thread-safe: updates are serialized by this object's monitor, off the request path; {@link #picker()} is a
 * plain volatile read.
 *
 * @param <E> the balancer's endpoint type
 */
public abstract class SnapshotLoadBalancer<E extends Endpoint> implements LoadBalancer {

    private static final Picker EMPTY = context -> null;

    private volatile Picker picker = EMPTY;
    private Map<String, E> endpointsById = Map.of();

    @Override
    public final synchronized void updateInstances(List<ServiceInstance> instances) {
        requireNonNull(instances, "instances");
        Map<String, E> next = new HashMap<>(instances.size() * 2);
        List<E> ordered = new ArrayList<>(instances.size());
        for (ServiceInstance instance : instances) {
            E previous = endpointsById.get(instance.id());
            E endpoint = endpointFor(instance, previous);
            if (next.put(instance.id(), endpoint) == null) {
                ordered.add(endpoint);
            }
        }
        endpointsById = next;
        picker = ordered.isEmpty() ? EMPTY : newPicker(List.copyOf(ordered));
    }

    @Override
    public final Picker picker() {
        return picker;
    }

    /**
     * Returns the endpoint for {@code instance}: {@code previous} itself when nothing the balancer cares about
     * changed, or a new endpoint (carrying over {@code previous}'s state where that makes sense).
     *
     * @param previous the endpoint of the instance with the same id in the last snapshot, or {@code null}
     */
    protected abstract E endpointFor(ServiceInstance instance, @Nullable E previous);

    /** Builds an immutable picker over a non-empty list of endpoints with distinct ids. */
    protected abstract Picker newPicker(List<E> endpoints);
}
