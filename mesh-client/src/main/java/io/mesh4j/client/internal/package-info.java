/**
 * Implementation of the client. Not API: anything here may change without notice.
 */
@NonNullByDefault
package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.NonNullByDefault;
