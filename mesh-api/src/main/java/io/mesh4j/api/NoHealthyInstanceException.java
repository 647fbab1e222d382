package io.mesh4j.api;

/**
 * Thrown when a service is known but no instance can take the request: discovery lists none, or every listed
 * instance is excluded (already tried, ejected or behind an open breaker).
 */
public final class NoHealthyInstanceException extends MeshException {

    private static final long serialVersionUID = 1L;

    private final int knownInstances;

    /** Creates an exception for {@code service}, which has {@code knownInstances} instances in discovery. */
    public NoHealthyInstanceException(String service, int knownInstances) {
        super(service, "No healthy instance of service '" + service + "' (" + knownInstances
                + " known to discovery)");
        this.knownInstances = knownInstances;
    }

    /** How many instances discovery listed when the pick failed. */
    public int knownInstances() {
        return knownInstances;
    }
}
