/**
 * The entry points: {@link io.mesh4j.client.MeshClient} and its OkHttp {@link io.mesh4j.client.MeshInterceptor},
 * per-service {@link io.mesh4j.client.ServiceSettings}, and the embedded {@link io.mesh4j.client.StaticDiscovery}.
 */
@NonNullByDefault
package io.mesh4j.client;

import io.mesh4j.api.annotation.NonNullByDefault;
