/** Where TLS material comes from when it is not files: the certificate source SPI. */
@NonNullByDefault
package io.mesh4j.api.tls;

import io.mesh4j.api.annotation.NonNullByDefault;
