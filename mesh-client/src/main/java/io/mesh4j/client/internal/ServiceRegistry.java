package io.mesh4j.client.internal;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.ClientClosedException;
import io.mesh4j.api.ServiceDiscovery;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.routing.MeshPolicy;
import io.mesh4j.routing.PolicyDocument;
import io.mesh4j.routing.ServiceRoutes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a request host to the {@link ServiceState} of a mesh service. The first request for a host asks discovery
 * whether it knows the service; if it does, the registry creates the service's balancer, seeds it with the current
 * instances and subscribes it to changes. Later requests find the state with one map read.
 *
 * <p>Thread-safe. Hosts discovery does not know are not remembered, so a service that appears later is found.
 */
public final class ServiceRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceRegistry.class);

    private final ServiceDiscovery discovery;
    private final Function<String, ServiceSettings> settingsByService;
    private final ClientResources resources;
    private final Telemetry telemetry;
    private final Map<String, ServiceState> services = new ConcurrentHashMap<>();
    private final Object policyLock = new Object();
    private volatile Policy policy;
    private volatile boolean closed;

    /** The policy in effect and its number, counted up with each change. */
    private static final class Policy {
        final long generation;
        final MeshPolicy routes;

        Policy(long generation, MeshPolicy routes) {
            this.generation = generation;
            this.routes = routes;
        }
    }

    /**
     * @param settingsByService the settings of a service, defaults included; called once per service
     * @param resources the client's scheduler and plain OkHttp client, for background work
     * @param telemetry registers each service's gauges
     * @param policy the routes of every service to start with
     * @throws IllegalArgumentException when a route of {@code policy} does not fit its service's settings
     */
    public ServiceRegistry(ServiceDiscovery discovery, Function<String, ServiceSettings> settingsByService,
            ClientResources resources, Telemetry telemetry, MeshPolicy policy) {
        this.discovery = requireNonNull(discovery, "discovery");
        this.settingsByService = requireNonNull(settingsByService, "settingsByService");
        this.resources = requireNonNull(resources, "resources");
        this.telemetry = requireNonNull(telemetry, "telemetry");
        check(requireNonNull(policy, "policy"));
        this.policy = new Policy(1, policy);
    }

    /** The policy in effect. */
    public MeshPolicy policy() {
        return policy.routes;
    }

    /**
     * Puts {@code routes} into effect for every service, replacing the policy before as a whole: calls that start
     * from now on follow it, calls in flight finish under the one they started with; balancer, breaker and budget
     * state is kept for every service, and for every subset that is still declared alike. The update is counted by
     * {@code source} and result.
     *
     * @throws IllegalArgumentException when a route does not fit its service's settings; the policy before stays
     */
    public void updatePolicy(MeshPolicy routes, String source) {
        requireNonNull(routes, "policy");
        synchronized (policyLock) {
            try {
                check(routes);
            } catch (IllegalArgumentException rejected) {
                telemetry.policyUpdate(source, false);
                throw rejected;
            }
            Policy next = new Policy(policy.generation + 1, routes);
            policy = next;
            for (ServiceState state : services.values()) {
                state.applyRoutes(next.generation, routes.service(state.name()));
            }
            telemetry.policyUpdate(source, true);
        }
    }

    /**
     * Puts the policy {@code document} describes into effect, as {@link #updatePolicy} does; an invalid document is
     * logged with its reason and counted, and the policy in effect stays.
     *
     * @param source the name of the source that delivered it
     */
    public void acceptDocument(String document, String source) {
        MeshPolicy routes;
        try {
            routes = PolicyDocument.parse(document);
        } catch (IllegalArgumentException invalid) {
            telemetry.policyUpdate(source, false);
            log.warn("Rejected the policy document from source '{}', the policy in effect stays: {}", source,
                    invalid.getMessage());
            return;
        }
        try {
            updatePolicy(routes, source);
            log.info("Applied the policy document from source '{}': {} services with routes", source,
                    routes.services().size());
        } catch (IllegalArgumentException invalid) {
            log.warn("Rejected the policy document from source '{}', the policy in effect stays: {}", source,
                    invalid.getMessage());
        }
    }

    private void check(MeshPolicy routes) {
        for (ServiceRoutes service : routes.services().values()) {
            RouteSettings.check(service, settingsByService.apply(service.service()));
        }
    }

    /**
     * Returns the state of the mesh service named {@code host}, or {@code null} if discovery does not know it.
     *
     * @throws ClientClosedException when the registry is closed and {@code host} is a mesh service; hosts outside
     *     the mesh still return {@code null}, so their calls pass through
     */
    @Nullable
    public ServiceState find(String host) throws ClientClosedException {
        ServiceState state = services.get(host);
        if (state != null && !closed) {
            return state;
        }
        if (closed) {
            if (state != null || knows(host)) {
                throw new ClientClosedException(host);
            }
            return null;
        }
        List<ServiceInstance> current = discovery.instances(host);
        if (current == null) {
            return null;
        }
        ServiceState opened = services.computeIfAbsent(host, name -> open(name, current));
        // A policy update that ran while the service was being opened may not have seen it in the map.
        Policy now = policy;
        opened.applyRoutes(now.generation, now.routes.service(host));
        return opened;
    }

    /**
     * The state of {@code host} when the registry has already opened it as a mesh service and is not closed, else
     * {@code null}; never asks discovery, so it never blocks.
     */
    @Nullable
    ServiceState opened(String host) {
        ServiceState state = services.get(host);
        return closed ? null : state;
    }

    /**
     * The client's scheduler, for the timers of a call to {@code service}.
     *
     * @throws ClientClosedException when the client is closed
     */
    java.util.concurrent.ScheduledExecutorService scheduler(String service) throws ClientClosedException {
        try {
            return resources.scheduler();
        } catch (IllegalStateException closedMeanwhile) {
            throw new ClientClosedException(service);
        }
    }

    /** Why discovery could not say whether {@code host} is a service (its registry did not answer), or {@code null}. */
    @Nullable
    public Throwable discoveryFailure(String host) {
        try {
            return discovery.failure(host);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Whether discovery, which may itself have been closed by now, still knows {@code host} as a service. */
    private boolean knows(String host) {
        try {
            return discovery.instances(host) != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private ServiceState open(String name, List<ServiceInstance> current) {
        ServiceState state = new ServiceState(name, settingsByService.apply(name), resources);
        state.onInstances(current);
        Policy now = policy;
        state.applyRoutes(now.generation, now.routes.service(name));
        state.subscribed(discovery.subscribe(name, (service, instances) -> state.onInstances(instances)));
        state.start(telemetry);
        telemetry.serviceOpened(state);
        return state;
    }

    /**
     * Stops every subscription, health checker and balancer, and the scheduler, and removes the gauges; later calls
     * to mesh services fail with {@link ClientClosedException}. Discovery itself belongs to the caller and stays
     * open. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        services.values().forEach(ServiceState::close);
        resources.close();
        telemetry.close();
    }
}
