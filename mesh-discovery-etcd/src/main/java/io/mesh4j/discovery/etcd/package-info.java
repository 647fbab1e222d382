/**
 * Service discovery from etcd (one range read, then a watch from its revision) and lease-based self-registration.
 * Start from {@link io.mesh4j.discovery.etcd.EtcdDiscovery} and {@link io.mesh4j.discovery.etcd.EtcdRegistration}.
 */
@NonNullByDefault
package io.mesh4j.discovery.etcd;

import io.mesh4j.api.annotation.NonNullByDefault;
