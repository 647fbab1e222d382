package io.mesh4j.client.internal;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.ServiceDiscovery;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.client.ServiceSettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Maps a request host to the {@link ServiceState} of a mesh service. The first request for a host asks discovery
 * whether it knows the service; if it does, the registry creates the service's balancer, seeds it with the current
 * instances and subscribes it to changes. Later requests find the state with one map read.
 *
 * <p>Thread-safe. Hosts discovery does not know are not remembered, so a service that appears later is found.
 */
public final class ServiceRegistry implements AutoCloseable {

    private final ServiceDiscovery discovery;
    private final Function<String, ServiceSettings> settingsByService;
    private final ClientResources resources;
    private final Telemetry telemetry;
    private final Map<String, ServiceState> services = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param settingsByService the settings of a service, defaults included; called once per service
     * @param resources the client's scheduler and plain OkHttp client, for background work
     * @param telemetry registers each service's gauges
     */
    public ServiceRegistry(ServiceDiscovery discovery, Function<String, ServiceSettings> settingsByService,
            ClientResources resources, Telemetry telemetry) {
        this.discovery = requireNonNull(discovery, "discovery");
        this.settingsByService = requireNonNull(settingsByService, "settingsByService");
        this.resources = requireNonNull(resources, "resources");
        this.telemetry = requireNonNull(telemetry, "telemetry");
    }

    /** Returns the state of the mesh service named {@code host}, or {@code null} if discovery does not know it. */
    @Nullable
    public ServiceState find(String host) {
        ServiceState state = services.get(host);
        if (state != null) {
            return state;
        }
        if (closed) {
            throw new IllegalStateException("MeshClient is closed");
        }
        List<ServiceInstance> current = discovery.instances(host);
        if (current == null) {
            return null;
        }
        return services.computeIfAbsent(host, name -> open(name, current));
    }

    private ServiceState open(String name, List<ServiceInstance> current) {
        ServiceState state = new ServiceState(name, settingsByService.apply(name), resources);
        state.onInstances(current);
        state.subscribed(discovery.subscribe(name, (service, instances) -> state.onInstances(instances)));
        state.start();
        telemetry.serviceOpened(state);
        return state;
    }

    /**
     * Stops every subscription, health checker and balancer, and the scheduler, and removes the gauges. Discovery itself belongs to the
     * caller and stays open.
     */
    @Override
    public void close() {
        closed = true;
        services.values().forEach(ServiceState::close);
        services.clear();
        resources.close();
        telemetry.close();
    }
}
