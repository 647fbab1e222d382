/**
 * The Mesh4j vocabulary: {@link io.mesh4j.api.ServiceInstance}, the {@link io.mesh4j.api.ServiceDiscovery} SPI and
 * the typed errors every module shares. This package depends on nothing outside the JDK.
 */
@NonNullByDefault
package io.mesh4j.api;

import io.mesh4j.api.annotation.NonNullByDefault;
