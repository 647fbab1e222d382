/**
 * Resilience policies: safe retries with a budget and backoff. Start from {@link io.mesh4j.resilience.RetryConfig}.
 */
@NonNullByDefault
package io.mesh4j.resilience;

import io.mesh4j.api.annotation.NonNullByDefault;
