/**
 * Balancer implementations. Not API: use {@link io.mesh4j.lb.LoadBalancers}; anything here may change without
 * notice.
 */
@NonNullByDefault
package io.mesh4j.lb.internal;

import io.mesh4j.api.annotation.NonNullByDefault;
