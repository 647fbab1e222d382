package io.mesh4j.lb.internal;

import io.mesh4j.api.balancer.RequestContext;

/**
 * Chooses one endpoint from a snapshot's candidates by one algorithm. Built once per snapshot, immutable apart from
 * its own atomics; {@link #select} is lock-free and allocates nothing.
 */
interface Selector {

    BalancedEndpoint select(RequestContext context);
}
