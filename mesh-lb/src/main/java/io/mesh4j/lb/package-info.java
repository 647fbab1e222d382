/**
 * Client-side load balancers. Start from {@link io.mesh4j.lb.LoadBalancers}.
 */
@NonNullByDefault
package io.mesh4j.lb;

import io.mesh4j.api.annotation.NonNullByDefault;
