package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.resilience.HedgingPolicy;
import io.mesh4j.resilience.RetryPolicy;
import io.mesh4j.resilience.TimeoutConfig;
import io.mesh4j.routing.Fault;
import io.mesh4j.routing.Mirror;
import io.mesh4j.routing.Route;
import io.mesh4j.routing.RoutedRequest;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * One route of a service as calls run it: the balancers of its subsets and fallback, its timeouts, retry and hedging
 * policies (sharing the service's retry budget), and the edits it makes to requests. A request no route takes runs
 * on the service's default route: the whole service, the service's settings, no edits.
 *
 * <p>Immutable and thread-safe; built off the request path when a policy takes effect.
 */
final class ServiceRoute {

    @Nullable
    private final Route route;
    private final SubsetTarget[] targets;
    @Nullable
    private final SubsetTarget fallback;
    private final TimeoutConfig timeouts;
    private final RetryPolicy retry;
    private final HedgingPolicy hedging;
    @Nullable
    private final SubsetTarget mirrorTarget;
    private final boolean editsRequests;
    private final long overallTimeoutNanos;
    private final long perTryTimeoutNanos;

    /**
     * @param route the policy's route, {@code null} for the service's default route
     * @param targets the balancers of the route's subsets, in the route's order
     * @param fallback where calls go when their subset has no instance to pick, or {@code null} to fail them
     * @param mirrorTarget the balancer of the subset the route mirrors to, or {@code null}
     */
    ServiceRoute(@Nullable Route route, SubsetTarget[] targets, @Nullable SubsetTarget fallback,
            TimeoutConfig timeouts, RetryPolicy retry, HedgingPolicy hedging, @Nullable SubsetTarget mirrorTarget) {
        this.route = route;
        this.targets = targets;
        this.fallback = fallback;
        this.timeouts = timeouts;
        this.overallTimeoutNanos = timeouts.overallTimeout().toNanos();
        this.perTryTimeoutNanos = timeouts.perTryTimeout().toNanos();
        this.retry = retry;
        this.hedging = hedging;
        this.mirrorTarget = mirrorTarget;
        this.editsRequests = route != null && (!route.setRequestHeaders().isEmpty()
                || !route.removeRequestHeaders().isEmpty() || route.prefixRewrite() != null);
    }

    /** Whether this route takes {@code request}; the default route takes every request. */
    boolean matches(RoutedRequest request) {
        return route == null || route.match().matches(request);
    }

    /** The route's name, {@code null} for the service's default route. */
    @Nullable
    String name() {
        return route == null ? null : route.name();
    }

    /** Where {@code request} goes: the route's subset, or its weighted pick among them. */
    SubsetTarget target(RoutedRequest request) {
        if (targets.length == 1) {
            return targets[0];
        }
        String subset = route.pickSubset(request, ThreadLocalRandom.current().nextLong());
        for (SubsetTarget target : targets) {
            if (subset.equals(target.name())) {
                return target;
            }
        }
        throw new IllegalStateException("route '" + route.name() + "' picked unknown subset '" + subset + "'");
    }

    /** Where a call goes when its subset has no instance to pick, or {@code null}. */
    @Nullable
    SubsetTarget fallback() {
        return fallback;
    }

    TimeoutConfig timeouts() {
        return timeouts;
    }

    /** The overall timeout in nanoseconds, 0 for none: read on every call, so converted once. */
    long overallTimeoutNanos() {
        return overallTimeoutNanos;
    }

    /** The per-try timeout in nanoseconds, 0 for none. */
    long perTryTimeoutNanos() {
        return perTryTimeoutNanos;
    }

    RetryPolicy retry() {
        return retry;
    }

    HedgingPolicy hedging() {
        return hedging;
    }

    /** The {@code Host} the route sets, or {@code null} to keep the service's setting. */
    @Nullable
    String authority() {
        return route == null ? null : route.authority();
    }

    /** Where the route copies a share of its requests, or {@code null}. */
    @Nullable
    Mirror mirror() {
        return route == null ? null : route.mirror();
    }

    /** The balancer of the subset the route mirrors to, or {@code null} when it mirrors to another service. */
    @Nullable
    SubsetTarget mirrorTarget() {
        return mirrorTarget;
    }

    /** The faults the route injects, or {@code null}. */
    @Nullable
    Fault fault() {
        return route == null ? null : route.fault();
    }

    /** {@code request} with the route's header edits and path rewrite; {@code request} itself when it has none. */
    Request edit(Request request) {
        if (!editsRequests) {
            return request;
        }
        Request.Builder builder = request.newBuilder();
        for (String name : route.removeRequestHeaders()) {
            builder.removeHeader(name);
        }
        for (Map.Entry<String, String> header : route.setRequestHeaders().entrySet()) {
            builder.header(header.getKey(), header.getValue());
        }
        if (route.prefixRewrite() != null) {
            HttpUrl url = request.url();
            builder.url(url.newBuilder().encodedPath(route.rewritePath(url.encodedPath())).build());
        }
        return builder.build();
    }

    @Override
    public String toString() {
        return "ServiceRoute{" + (route == null ? "default" : route.name()) + '}';
    }
}
