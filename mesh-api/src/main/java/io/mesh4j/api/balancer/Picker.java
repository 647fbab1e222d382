package io.mesh4j.api.balancer;

import io.mesh4j.api.annotation.Nullable;

/**
 * An immutable snapshot of one service's instances, ready to pick from. A new picker is built whenever the
 * instance set (or a balancer's view of health) changes; a call reads the current picker once and uses it for
 * every attempt.
 *
 * <p>Thread-safe and lock-free: {@link #pick} is called concurrently by every request thread, touches only the
 * picker's own atomics, never blocks, and should not allocate.
 */
@FunctionalInterface
public interface Picker {

    /**
     * Picks the endpoint for one attempt, skipping the context's {@linkplain RequestContext#triedInstances() tried
     * instances} while any other remains.
     *
     * @return the endpoint, or {@code null} if this snapshot has no instance to offer
     */
    @Nullable
    Endpoint pick(RequestContext context);
}
