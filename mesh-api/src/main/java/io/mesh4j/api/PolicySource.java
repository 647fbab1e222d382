package io.mesh4j.api;

import java.util.function.Consumer;

/**
 * Where a mesh client's routing policy comes from while it runs: a watched file, a key in Consul's KV store, or
 * another control plane. A source only delivers documents as text (the JSON format of {@code docs/POLICY.md}); the
 * client parses and checks each one, puts it into effect as a whole, and keeps the policy in effect when a document
 * is invalid.
 *
 * <p>Contract: {@link #subscribe} delivers the current document as soon as the source has one, then each changed
 * document, one at a time, on a thread of the source's own (never a request thread). A source that cannot read its
 * store keeps trying and says why in its log; it delivers nothing meanwhile, so the last good policy stays. Sources
 * are thread-safe.
 */
public interface PolicySource extends AutoCloseable {

    /** A short name for logs and the {@code source} tag of metrics, such as {@code file} or {@code consul}. */
    String name();

    /**
     * Starts delivering documents to {@code documents}. Closing the subscription stops the deliveries; a listener
     * that throws is logged, and deliveries go on.
     */
    Subscription subscribe(Consumer<String> documents);

    /** Stops watching; idempotent. */
    @Override
    void close();
}
