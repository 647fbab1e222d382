package io.mesh4j.client;

import io.mesh4j.api.ServiceDiscovery;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.internal.DefaultStaticDiscovery;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Discovery from instances given in code: the embedded default, for tests, local runs and fixed topologies. The
 * instance sets can be changed at run time; every change reaches subscribers, and so the client's balancers, before
 * the changing method returns, so the very next request sees it.
 *
 * <p>Thread-safe. Changes are serialized; subscribers are called on the thread that made the change.
 *
 * <pre>{@code
 * StaticDiscovery discovery = StaticDiscovery.of(
 *     ServiceInstance.builder("orders", "10.0.0.7", 8080).build(),
 *     ServiceInstance.builder("orders", "10.0.0.8", 8080).build());
 * discovery.addInstance(ServiceInstance.builder("orders", "10.0.0.9", 8080).build());
 * }</pre>
 */
public interface StaticDiscovery extends ServiceDiscovery {

    /** Creates a discovery that knows the services of {@code instances}, grouped by service name. */
    static StaticDiscovery of(ServiceInstance... instances) {
        return of(Arrays.asList(instances));
    }

    /**
     * Creates a discovery that knows the services of {@code instances}, grouped by service name.
     *
     * @throws IllegalArgumentException if two instances of one service share an id
     */
    static StaticDiscovery of(Collection<ServiceInstance> instances) {
        return DefaultStaticDiscovery.create(instances);
    }

    /**
     * Replaces the instances of {@code service}; the service is known afterwards, even with an empty list.
     *
     * @throws IllegalArgumentException if an instance belongs to another service or two share an id
     */
    void setInstances(String service, List<ServiceInstance> instances);

    /** Adds an instance to its service, replacing the one with the same id if any. */
    void addInstance(ServiceInstance instance);

    /** Removes the instance with {@code id}; returns whether there was one. */
    boolean removeInstance(String service, String id);

    /** Forgets {@code service}: it becomes unknown, and subscribers receive an empty list. */
    void removeService(String service);
}
