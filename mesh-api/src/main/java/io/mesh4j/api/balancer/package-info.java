/**
 * The load-balancer SPI. A {@link io.mesh4j.api.balancer.LoadBalancer} turns each new instance set into an
 * immutable {@link io.mesh4j.api.balancer.Picker} snapshot off the request path; the client reads the current picker
 * once per call and picks from it without locks. Each picked {@link io.mesh4j.api.balancer.Endpoint} receives the
 * attempt's start and end, so balancers can learn from latency and outcome.
 */
@NonNullByDefault
package io.mesh4j.api.balancer;

import io.mesh4j.api.annotation.NonNullByDefault;
