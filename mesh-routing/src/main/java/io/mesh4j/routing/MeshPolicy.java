package io.mesh4j.routing;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.annotation.Nullable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole policy set of a mesh client: the {@link ServiceRoutes} of every service that has routes, one immutable
 * snapshot. The client reads the snapshot once per call and replaces it as a whole, so a call runs under one policy
 * from start to end; a service without routes sends every request to any of its instances.
 *
 * <pre>{@code
 * MeshPolicy policy = MeshPolicy.builder()
 *     .service(ServiceRoutes.builder("orders")
 *         .subset(Subset.builder("v1").metadata("version", "v1").build())
 *         .subset(Subset.builder("v2").metadata("version", "v2").build())
 *         .route(Route.builder("canary").split("v1", 90).split("v2", 10).build())
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class MeshPolicy {

    private static final MeshPolicy EMPTY = new Builder().build();

    private final Map<String, ServiceRoutes> services;

    private MeshPolicy(Builder builder) {
        this.services = Map.copyOf(builder.services);
    }

    /** No routes for any service. */
    public static MeshPolicy empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The routes of {@code service}, or {@code null} when it has none. */
    @Nullable
    public ServiceRoutes service(String service) {
        return services.get(service);
    }

    /** Every service's routes, by service name. */
    public Map<String, ServiceRoutes> services() {
        return services;
    }

    @Override
    public String toString() {
        return "MeshPolicy" + services.values();
    }

    /** Builds a {@link MeshPolicy}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, ServiceRoutes> services = new LinkedHashMap<>();

        private Builder() {
        }

        /** Adds the routes of one service. */
        public Builder service(ServiceRoutes routes) {
            requireNonNull(routes, "routes");
            if (services.putIfAbsent(routes.service(), routes) != null) {
                throw new IllegalArgumentException("service: '" + routes.service() + "' twice (expected: one"
                        + " ServiceRoutes per service)");
            }
            return this;
        }

        public MeshPolicy build() {
            return new MeshPolicy(this);
        }
    }
}
