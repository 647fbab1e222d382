/**
 * Nullness annotations used across Mesh4j.
 */
@NonNullByDefault
package io.mesh4j.api.annotation;
