package io.mesh4j.lb;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.balancer.LoadBalancerFactory;
import io.mesh4j.lb.internal.MeshLoadBalancerFactory;

/**
 * Factories for the built-in balancers. Every balancer works from an immutable snapshot rebuilt when the instance
 * set or an instance's health changes, and picks without locks; round robin, least request and peak-EWMA picks
 * allocate nothing.
 *
 * <p>The shortcuts use {@link BalancerConfig#ofDefaults()} for everything but the algorithm, so outlier ejection
 * (5 failures in a row) and the 50% panic threshold are on. Returned factories are immutable and shareable; each
 * balancer they create keeps its own state.
 *
 * <pre>{@code
 * ServiceSettings settings = ServiceSettings.custom()
 *     .balancer(LoadBalancers.of(BalancerConfig.custom().algorithm(Algorithm.LEAST_REQUEST).build()))
 *     .build();
 * }</pre>
 */
public final class LoadBalancers {

    private static final LoadBalancerFactory ROUND_ROBIN = of(Algorithm.ROUND_ROBIN);
    private static final LoadBalancerFactory PEAK_EWMA = of(Algorithm.PEAK_EWMA);

    private LoadBalancers() {
    }

    /** A balancer configured by {@code config}. */
    public static LoadBalancerFactory of(BalancerConfig config) {
        return new MeshLoadBalancerFactory(requireNonNull(config, "config"));
    }

    /** {@code algorithm} with the default config. */
    public static LoadBalancerFactory of(Algorithm algorithm) {
        return of(BalancerConfig.custom().algorithm(requireNonNull(algorithm, "algorithm")).build());
    }

    /** Each instance in turn. */
    public static LoadBalancerFactory roundRobin() {
        return ROUND_ROBIN;
    }

    /** Peak-EWMA with power of two choices: the default. */
    public static LoadBalancerFactory peakEwma() {
        return PEAK_EWMA;
    }
}
