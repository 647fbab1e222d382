/**
 * The routing policy model: {@link io.mesh4j.routing.ServiceRoutes} holds a service's ordered
 * {@link io.mesh4j.routing.Route}s, each a {@link io.mesh4j.routing.RouteMatch} and a destination (one
 * {@link io.mesh4j.routing.Subset}, or weighted splits across subsets). Value types only, with no HTTP library in
 * sight, so another control plane can map onto them.
 */
@NonNullByDefault
package io.mesh4j.routing;

import io.mesh4j.api.annotation.NonNullByDefault;
