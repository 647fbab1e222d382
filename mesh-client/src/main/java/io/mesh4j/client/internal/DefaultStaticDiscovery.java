package io.mesh4j.client.internal;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.ServiceNames;
import io.mesh4j.api.Subscription;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.client.StaticDiscovery;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link StaticDiscovery} over a concurrent map of immutable lists. Reads take no lock. Changes, subscriptions and
 * their first notification are serialized by this object's monitor, and listeners are called while it is held, so
 * each subscriber sees every change once and in order, and none after its subscription is closed.
 */
public final class DefaultStaticDiscovery implements StaticDiscovery {

    private static final Logger logger = LoggerFactory.getLogger(DefaultStaticDiscovery.class);

    private final Map<String, List<ServiceInstance>> services = new ConcurrentHashMap<>();
    private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();

    private DefaultStaticDiscovery() {
    }

    /** Creates a discovery holding {@code instances}, grouped by service. */
    public static DefaultStaticDiscovery create(Collection<ServiceInstance> instances) {
        requireNonNull(instances, "instances");
        Map<String, List<ServiceInstance>> byService = new LinkedHashMap<>();
        for (ServiceInstance instance : instances) {
            requireNonNull(instance, "instance");
            byService.computeIfAbsent(instance.service(), k -> new ArrayList<>()).add(instance);
        }
        DefaultStaticDiscovery discovery = new DefaultStaticDiscovery();
        byService.forEach(discovery::setInstances);
        return discovery;
    }

    @Override
    @Nullable
    public List<ServiceInstance> instances(String service) {
        return services.get(requireNonNull(service, "service"));
    }

    @Override
    public synchronized Subscription subscribe(String service, Listener listener) {
        requireNonNull(service, "service");
        requireNonNull(listener, "listener");
        listeners.computeIfAbsent(service, k -> new CopyOnWriteArrayList<>()).add(listener);
        List<ServiceInstance> current = services.get(service);
        if (current != null) {
            notify(listener, service, current);
        }
        return () -> unsubscribe(service, listener);
    }

    private synchronized void unsubscribe(String service, Listener listener) {
        List<Listener> forService = listeners.get(service);
        if (forService != null) {
            forService.remove(listener);
        }
    }

    @Override
    public synchronized void setInstances(String service, List<ServiceInstance> instances) {
        ServiceNames.check("service", requireNonNull(service, "service"));
        List<ServiceInstance> copy = List.copyOf(requireNonNull(instances, "instances"));
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < copy.size(); i++) {
            ServiceInstance instance = copy.get(i);
            if (!instance.service().equals(service)) {
                throw new IllegalArgumentException("instances[" + i + "].service: '" + instance.service()
                        + "' (expected: '" + service + "')");
            }
            if (!ids.add(instance.id())) {
                throw new IllegalArgumentException("instances[" + i + "].id: '" + instance.id()
                        + "' (expected: unique within service '" + service + "')");
            }
        }
        publish(service, copy);
    }

    @Override
    public synchronized void addInstance(ServiceInstance instance) {
        requireNonNull(instance, "instance");
        List<ServiceInstance> next = new ArrayList<>(services.getOrDefault(instance.service(), List.of()));
        next.removeIf(existing -> existing.id().equals(instance.id()));
        next.add(instance);
        publish(instance.service(), List.copyOf(next));
    }

    @Override
    public synchronized boolean removeInstance(String service, String id) {
        requireNonNull(service, "service");
        requireNonNull(id, "id");
        List<ServiceInstance> current = services.get(service);
        if (current == null) {
            return false;
        }
        List<ServiceInstance> next = new ArrayList<>(current);
        if (!next.removeIf(existing -> existing.id().equals(id))) {
            return false;
        }
        publish(service, List.copyOf(next));
        return true;
    }

    @Override
    public synchronized void removeService(String service) {
        requireNonNull(service, "service");
        if (services.remove(service) != null) {
            notifyAll(service, List.of());
        }
    }

    private void publish(String service, List<ServiceInstance> instances) {
        services.put(service, instances);
        notifyAll(service, instances);
    }

    private void notifyAll(String service, List<ServiceInstance> instances) {
        List<Listener> forService = listeners.get(service);
        if (forService != null) {
            for (Listener listener : forService) {
                notify(listener, service, instances);
            }
        }
    }

    private static void notify(Listener listener, String service, List<ServiceInstance> instances) {
        try {
            listener.onInstances(service, instances);
        } catch (RuntimeException e) {
            logger.warn("Discovery listener {} failed for service '{}'", listener, service, e);
        }
    }

    @Override
    public String toString() {
        return "StaticDiscovery" + services.keySet();
    }
}
