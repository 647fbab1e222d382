/** Implementation details of the routing model: not API. */
@NonNullByDefault
package io.mesh4j.routing.internal;

import io.mesh4j.api.annotation.NonNullByDefault;
