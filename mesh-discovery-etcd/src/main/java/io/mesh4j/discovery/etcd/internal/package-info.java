/** Implementation of the etcd module; not an API. */
@NonNullByDefault
package io.mesh4j.discovery.etcd.internal;

import io.mesh4j.api.annotation.NonNullByDefault;
