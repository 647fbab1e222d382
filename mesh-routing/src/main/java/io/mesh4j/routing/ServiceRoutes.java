package io.mesh4j.routing;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.ServiceNames;
import io.mesh4j.api.annotation.Nullable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes of one service, tried in order: the first whose match takes the request decides its subset; a request
 * no route takes goes to the whole service. Subsets are declared once and referred to by name; a route's subset that
 * turns out empty falls back to {@link #fallbackSubset()} when one is set (else the client fails the call with an
 * error naming the subset).
 *
 * <pre>{@code
 * ServiceRoutes orders = ServiceRoutes.builder("orders")
 *     .subset(Subset.builder("v1").metadata("version", "v1").build())
 *     .subset(Subset.builder("v2").metadata("version", "v2").build())
 *     .route(Route.builder("testers").match(RouteMatch.builder().header("x-tester", ValueMatch.present()).build())
 *         .to("v2").build())
 *     .route(Route.builder("canary").split("v1", 90).split("v2", 10).stickyOn("x-user-id").build())
 *     .fallbackSubset("v1")
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. Finding a route walks an array and allocates nothing when no route uses a regular
 * expression.
 */
public final class ServiceRoutes {

    private final String service;
    private final Route[] routes;
    /** The routes' matches, in the same order: read without going through each route. */
    private final RouteMatch[] matches;
    private final Map<String, Subset> subsets;
    @Nullable
    private final String fallbackSubset;

    private ServiceRoutes(Builder builder) {
        this.service = builder.service;
        this.routes = builder.routes.toArray(Route[]::new);
        this.matches = new RouteMatch[routes.length];
        for (int i = 0; i < routes.length; i++) {
            matches[i] = routes[i].match();
        }
        this.subsets = Map.copyOf(builder.subsets);
        this.fallbackSubset = builder.fallbackSubset;
    }

    public static Builder builder(String service) {
        return new Builder(service);
    }

    public String service() {
        return service;
    }

    public List<Route> routes() {
        return List.of(routes);
    }

    /** The subset named {@code name}, or {@code null}. */
    @Nullable
    public Subset subset(String name) {
        return subsets.get(name);
    }

    /** Where requests go when their route's subset has no instance, or {@code null} to fail them. */
    @Nullable
    public String fallbackSubset() {
        return fallbackSubset;
    }

    /** The first route that takes {@code request}, or {@code null} when none does (the whole service). */
    @Nullable
    public Route route(RoutedRequest request) {
        String path = request.path();
        for (int i = 0; i < matches.length; i++) {
            if (matches[i].matches(request, path)) {
                return routes[i];
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "ServiceRoutes{" + service + ", routes " + List.of(routes) + ", subsets " + subsets.keySet()
                + (fallbackSubset == null ? "" : ", fallback " + fallbackSubset) + '}';
    }

    /** Builds {@link ServiceRoutes}. Not thread-safe; {@link #build()} checks every reference. */
    public static final class Builder {
        private final String service;
        private final List<Route> routes = new ArrayList<>();
        private final Map<String, Subset> subsets = new LinkedHashMap<>();
        @Nullable
        private String fallbackSubset;

        private Builder(String service) {
            this.service = ServiceNames.check("service", requireNonNull(service, "service"));
        }

        public Builder subset(Subset subset) {
            requireNonNull(subset, "subset");
            if (subsets.putIfAbsent(subset.name(), subset) != null) {
                throw new IllegalArgumentException("subset: '" + subset.name() + "' declared twice for service '"
                        + service + "' (expected: unique subset names)");
            }
            return this;
        }

        /** Adds a route after those added before: earlier routes are tried first. */
        public Builder route(Route route) {
            requireNonNull(route, "route");
            for (Route existing : routes) {
                if (existing.name().equals(route.name())) {
                    throw new IllegalArgumentException("route: '" + route.name() + "' twice for service '" + service
                            + "' (expected: unique route names)");
                }
            }
            routes.add(route);
            return this;
        }

        public Builder fallbackSubset(@Nullable String fallbackSubset) {
            this.fallbackSubset = fallbackSubset;
            return this;
        }

        /**
         * Builds the routes.
         *
         * @throws IllegalArgumentException naming the route and subset when a route or the fallback refers to a
         *     subset that is not declared
         */
        public ServiceRoutes build() {
            for (Route route : routes) {
                Mirror mirror = route.mirror();
                if (mirror != null && mirror.subset() != null && !subsets.containsKey(mirror.subset())) {
                    throw new IllegalArgumentException("route '" + route.name() + "' of service '" + service
                            + "': mirror subset '" + mirror.subset() + "' (expected: one of the declared subsets "
                            + subsets.keySet() + ")");
                }
                for (String subset : route.subsets()) {
                    if (!subsets.containsKey(subset)) {
                        throw new IllegalArgumentException("route '" + route.name() + "' of service '" + service
                                + "': subset '" + subset + "' (expected: one of the declared subsets "
                                + subsets.keySet() + ")");
                    }
                }
            }
            if (fallbackSubset != null && !subsets.containsKey(fallbackSubset)) {
                throw new IllegalArgumentException("fallbackSubset: '" + fallbackSubset + "' (expected: one of the"
                        + " declared subsets " + subsets.keySet() + ")");
            }
            return new ServiceRoutes(this);
        }
    }
}
