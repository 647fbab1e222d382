package io.mesh4j.client;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.balancer.LoadBalancerFactory;
import io.mesh4j.lb.LoadBalancers;

/**
 * How the mesh treats calls to one service. Immutable and thread-safe; build one with {@link #custom()} or derive
 * one with {@link #from(ServiceSettings)}, and hand it to {@link MeshClient.Builder#defaultSettings} or
 * {@link MeshClient.Builder#service}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link #balancer()}</td><td>{@link LoadBalancers#roundRobin()}</td></tr>
 * </table>
 *
 * <pre>{@code
 * ServiceSettings orders = ServiceSettings.custom()
 *     .balancer(LoadBalancers.roundRobin())
 *     .build();
 * }</pre>
 */
public final class ServiceSettings {

    private static final ServiceSettings DEFAULTS = new Builder().build();

    private final LoadBalancerFactory balancer;

    private ServiceSettings(Builder builder) {
        this.balancer = builder.balancer;
    }

    /** The documented defaults. */
    public static ServiceSettings ofDefaults() {
        return DEFAULTS;
    }

    /** A builder that starts from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder that starts from {@code base}. */
    public static Builder from(ServiceSettings base) {
        requireNonNull(base, "base");
        return new Builder().balancer(base.balancer);
    }

    /** Creates each service's balancer. */
    public LoadBalancerFactory balancer() {
        return balancer;
    }

    @Override
    public String toString() {
        return "ServiceSettings{balancer=" + balancer.name() + '}';
    }

    /** Builds {@link ServiceSettings}. Not thread-safe. */
    public static final class Builder {
        private LoadBalancerFactory balancer = LoadBalancers.roundRobin();

        private Builder() {
        }

        /** Sets the balancer. Default: {@link LoadBalancers#roundRobin()}. */
        public Builder balancer(LoadBalancerFactory balancer) {
            this.balancer = requireNonNull(balancer, "balancer");
            return this;
        }

        /** Builds the settings. */
        public ServiceSettings build() {
            return new ServiceSettings(this);
        }
    }
}
