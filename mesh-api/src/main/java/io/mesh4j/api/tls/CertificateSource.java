package io.mesh4j.api.tls;

import io.mesh4j.api.Subscription;
import java.util.function.Consumer;

/**
 * Where a service's TLS material comes from when it is not files the client reads: a certificate authority's agent,
 * such as Consul Connect's. The client builds its TLS from each bundle delivered; connections opened later use the
 * latest, open ones drain.
 *
 * <p>Contract: {@link #subscribe} delivers the current bundle before it returns when the source has one (waiting a
 * bounded time for its first answer), then each changed bundle, one at a time, on a thread of the source's own.
 * A source that cannot reach its authority keeps the last bundle and retries; it never delivers a partial one. Until
 * a first bundle arrives, calls that need it fail. Sources are thread-safe.
 */
public interface CertificateSource extends AutoCloseable {

    /** A short name for logs and metrics, such as {@code consul-connect}. */
    String name();

    /** Starts delivering bundles to {@code bundles}; closing the subscription stops the deliveries. */
    Subscription subscribe(Consumer<CertificateBundle> bundles);

    /** Stops the source; idempotent. */
    @Override
    void close();
}
