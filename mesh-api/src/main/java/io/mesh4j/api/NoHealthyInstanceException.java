package io.mesh4j.api;

import io.mesh4j.api.annotation.Nullable;

/**
 * Thrown when a service is known but no instance can take the request: discovery lists none, or every listed
 * instance is excluded (already tried, ejected or behind an open breaker). When a route sent the request to a subset
 * of the service's instances (and its fallback, if any, had none either), {@link #subset()} names it.
 */
public final class NoHealthyInstanceException extends MeshException {

    private static final long serialVersionUID = 1L;

    private final int knownInstances;
    @Nullable
    private final String subset;
    private final int subsetInstances;

    /** Creates an exception for {@code service}, which has {@code knownInstances} instances in discovery. */
    public NoHealthyInstanceException(String service, int knownInstances) {
        super(service, "No healthy instance of service '" + service + "' (" + knownInstances
                + " known to discovery)");
        this.knownInstances = knownInstances;
        this.subset = null;
        this.subsetInstances = knownInstances;
    }

    /**
     * Creates an exception for subset {@code subset} of {@code service}, which has {@code subsetInstances} of the
     * service's {@code knownInstances} instances.
     */
    public NoHealthyInstanceException(String service, String subset, int knownInstances, int subsetInstances) {
        super(service, "No healthy instance in subset '" + subset + "' of service '" + service + "' ("
                + subsetInstances + " of " + knownInstances + " instances known to discovery are in the subset)");
        this.knownInstances = knownInstances;
        this.subset = subset;
        this.subsetInstances = subsetInstances;
    }

    /** How many instances discovery listed when the pick failed. */
    public int knownInstances() {
        return knownInstances;
    }

    /** The subset the request was routed to, or {@code null} when it could go to any instance. */
    @Nullable
    public String subset() {
        return subset;
    }

    /** How many of the known instances are in {@link #subset()} (all of them when there is no subset). */
    public int subsetInstances() {
        return subsetInstances;
    }
}
