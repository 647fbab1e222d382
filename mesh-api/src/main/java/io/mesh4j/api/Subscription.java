package io.mesh4j.api;

/**
 * A registration that ends when closed. Closing is idempotent and does not throw.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

    /** Stops the subscription. After it returns, the listener is not called again. */
    @Override
    void close();
}
