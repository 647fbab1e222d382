package io.mesh4j.lb.internal;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Round-robin positions, one per stripe, each on its own cache line; a thread always uses the stripe its id maps
 * to. A single shared counter would make every pick on every thread write the same cache line, which costs more
 * than the rest of the pick once two cores pick at once. Each thread therefore walks the instances in order on its
 * own (as each of Envoy's worker threads does): one thread sees strict rotation from the first instance on, several
 * threads together still spread calls evenly. Threads on different stripes start at the same instance, so their
 * first calls go to it together; from then on their rotations drift apart with their call timing.
 *
 * <p>Thread-safe and lock-free.
 */
final class StripedCursor {

    private static final int STRIPES = 16;
    /** Ints per stripe: 64 bytes, a cache line. */
    private static final int SPACING = 16;

    private final AtomicIntegerArray positions = new AtomicIntegerArray((STRIPES + 1) * SPACING);

    /** The calling thread's next position, never negative. */
    int next() {
        long id = Thread.currentThread().getId();
        int stripe = (int) ((id * 0x9E3779B97F4A7C15L) >>> 60);
        return positions.getAndIncrement(slot(stripe)) & Integer.MAX_VALUE;
    }

    private static int slot(int stripe) {
        return (stripe + 1) * SPACING;
    }
}
