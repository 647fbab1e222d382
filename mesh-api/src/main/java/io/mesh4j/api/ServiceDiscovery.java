package io.mesh4j.api;

import io.mesh4j.api.annotation.Nullable;
import java.time.Duration;
import java.util.List;

/**
 * Where the mesh learns which instances of a service exist. Implementations: static lists (the embedded default in
 * {@code mesh-client}) and Consul ({@code mesh-discovery-consul}).
 *
 * <p>The client does not call discovery on the request path for a service it already knows: it
 * {@linkplain #subscribe subscribes} once and rebuilds its balancer snapshot on each change. {@link #instances} is
 * read when a host is seen for the first time, to decide whether it is a mesh service at all.
 *
 * <p>Implementations must be thread-safe.
 */
public interface ServiceDiscovery extends AutoCloseable {

    /**
     * Returns the current instances of {@code service}, possibly empty when the service is known but has no healthy
     * instance, or {@code null} when this discovery does not know the service. The list is immutable. Must not
     * block for long: implementations answer from what they hold.
     */
    @Nullable
    List<ServiceInstance> instances(String service);

    /**
     * Subscribes to changes of {@code service}. The listener is called once soon after subscribing with the current
     * instances (if the service is known), and again after every change, with the whole new immutable list. Calls
     * for one subscription never overlap and arrive in order. A listener must return quickly and must not throw;
     * an exception it throws is logged and does not stop later notifications.
     */
    Subscription subscribe(String service, Listener listener);

    /**
     * How old the instances this discovery serves for {@code service} are: the time since its source last answered.
     * {@code null} when unknown or not applicable (static lists are never stale). For gauges; must be cheap.
     */
    @Nullable
    default Duration staleness(String service) {
        return null;
    }

    /**
     * Why this discovery cannot say whether {@code service} exists, when it cannot: its registry did not answer
     * (refused, timed out, failed) before it ever knew the service. {@code null} when it knows the service, knows it
     * does not exist, or has nothing to report. The client asks only when a call to a host that discovery did not
     * know failed with an unknown host, to tell the caller the truth ({@link DiscoveryUnavailableException}).
     * Default: {@code null}.
     */
    @Nullable
    default Throwable failure(String service) {
        return null;
    }

    /** Releases what this discovery holds (watches, threads, connections). Idempotent. */
    @Override
    default void close() {
    }

    /** Receives instance sets of one service. */
    @FunctionalInterface
    interface Listener {

        /** Called with the complete current instance list of {@code service}. */
        void onInstances(String service, List<ServiceInstance> instances);
    }
}
