/**
 * Helpers shared by Mesh4j's modules. Not API: anything here may change without notice.
 */
@NonNullByDefault
package io.mesh4j.api.internal;

import io.mesh4j.api.annotation.NonNullByDefault;
