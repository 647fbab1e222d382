/**
 * Implementations behind {@code io.mesh4j.resilience}. Not API.
 */
@NonNullByDefault
package io.mesh4j.resilience.internal;

import io.mesh4j.api.annotation.NonNullByDefault;
