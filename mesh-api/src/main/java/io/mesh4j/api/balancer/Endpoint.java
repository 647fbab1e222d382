package io.mesh4j.api.balancer;

import io.mesh4j.api.ServiceInstance;

/**
 * An instance as one balancer sees it: the {@link ServiceInstance} plus whatever the balancer keeps about it
 * (in-flight count, latency estimate). A balancer creates one endpoint per instance when it builds a snapshot, and
 * keeps the same endpoint for an instance whose id stays across updates, so picking allocates nothing and feedback
 * needs no map look-up.
 *
 * <p>Thread-safe: see {@link AttemptFeedback}.
 */
public interface Endpoint extends AttemptFeedback {

    /** The instance to send to. */
    ServiceInstance instance();
}
