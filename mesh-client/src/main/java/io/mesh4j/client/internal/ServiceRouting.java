package io.mesh4j.client.internal;

import io.mesh4j.routing.RoutedRequest;

/**
 * The routes of one service under one policy, ready for calls: tried in order, the service's default route after
 * them. A call reads it once, so it runs under one policy from start to end, however the policy changes meanwhile.
 *
 * <p>Immutable and thread-safe; finding a route allocates nothing when no route matches on a regular expression.
 */
final class ServiceRouting {

    private final long generation;
    private final ServiceRoute[] routes;
    private final boolean mayHedge;

    /**
     * @param generation which policy this is, counted up with each change
     * @param routes the routes in order, the default route last
     */
    ServiceRouting(long generation, ServiceRoute[] routes) {
        this.generation = generation;
        this.routes = routes;
        boolean hedges = false;
        for (ServiceRoute route : routes) {
            hedges |= route.hedging().config().enabled();
        }
        this.mayHedge = hedges;
    }

    long generation() {
        return generation;
    }

    /** The first route that takes {@code request}: the default route when no other does. */
    ServiceRoute route(RoutedRequest request) {
        int last = routes.length - 1;
        for (int i = 0; i < last; i++) {
            if (routes[i].matches(request)) {
                return routes[i];
            }
        }
        return routes[last];
    }

    /** Whether any route hedges, so that a call needs the client's timers. */
    boolean mayHedge() {
        return mayHedge;
    }
}
