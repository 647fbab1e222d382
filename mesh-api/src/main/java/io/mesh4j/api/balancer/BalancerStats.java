package io.mesh4j.api.balancer;

/**
 * How many of a service's instances a balancer holds, and in what state, for gauges. Immutable.
 */
public final class BalancerStats {

    private static final BalancerStats UNKNOWN = new BalancerStats(-1, -1, -1, -1);

    private final int instances;
    private final int healthy;
    private final int ejected;
    private final int failingHealthChecks;

    private BalancerStats(int instances, int healthy, int ejected, int failingHealthChecks) {
        this.instances = instances;
        this.healthy = healthy;
        this.ejected = ejected;
        this.failingHealthChecks = failingHealthChecks;
    }

    /** Counts from a balancer; an instance both ejected and failing health checks counts in both. */
    public static BalancerStats of(int instances, int healthy, int ejected, int failingHealthChecks) {
        if (instances < 0 || healthy < 0 || ejected < 0 || failingHealthChecks < 0 || healthy > instances) {
            throw new IllegalArgumentException("counts: " + instances + '/' + healthy + '/' + ejected + '/'
                    + failingHealthChecks + " (expected: non-negative, healthy <= instances)");
        }
        return new BalancerStats(instances, healthy, ejected, failingHealthChecks);
    }

    /** The stats of a balancer that does not report them: every count is -1. */
    public static BalancerStats unknown() {
        return UNKNOWN;
    }

    /** Instances in the current set, or -1. */
    public int instances() {
        return instances;
    }

    /** Instances neither ejected nor failing active health checks, or -1. */
    public int healthy() {
        return healthy;
    }

    /** Instances ejected by outlier detection, or -1. */
    public int ejected() {
        return ejected;
    }

    /** Instances failing the client's active health checks, or -1. */
    public int failingHealthChecks() {
        return failingHealthChecks;
    }

    @Override
    public String toString() {
        return "BalancerStats{instances=" + instances + ", healthy=" + healthy + ", ejected=" + ejected
                + ", failingHealthChecks=" + failingHealthChecks + '}';
    }
}
