package io.mesh4j.lb.internal;

import io.mesh4j.api.Ticker;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.LoadBalancerFactory;
import io.mesh4j.lb.BalancerConfig;
import java.util.Locale;

/** Creates a {@link MeshLoadBalancer} per service from one immutable {@link BalancerConfig}. */
public final class MeshLoadBalancerFactory implements LoadBalancerFactory {

    private final BalancerConfig config;
    private final String name;

    public MeshLoadBalancerFactory(BalancerConfig config) {
        this.config = config;
        this.name = config.algorithm().name().toLowerCase(Locale.ROOT);
    }

    /** The config every balancer of this factory uses. */
    public BalancerConfig config() {
        return config;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public LoadBalancer newLoadBalancer(String service) {
        return new MeshLoadBalancer(service, config);
    }

    /** A balancer on {@code ticker} rather than the config's own. */
    @Override
    public LoadBalancer newLoadBalancer(String service, Ticker ticker) {
        return new MeshLoadBalancer(service, BalancerConfig.from(config).ticker(ticker).build());
    }

    @Override
    public String toString() {
        return "LoadBalancers.of(" + config + ')';
    }
}
