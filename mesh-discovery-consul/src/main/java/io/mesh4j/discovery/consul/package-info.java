/**
 * Service discovery from Consul with blocking queries and stale-on-error. Start from
 * {@link io.mesh4j.discovery.consul.ConsulDiscovery}.
 */
@NonNullByDefault
package io.mesh4j.discovery.consul;

import io.mesh4j.api.annotation.NonNullByDefault;
