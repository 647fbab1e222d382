package io.mesh4j.benchmarks.scenarios;

import java.io.IOException;

/**
 * One way of making the same logical call, measured side by side with the others in a scenario. {@link #call()}
 * must be safe to run from several threads at once.
 */
interface Contender extends AutoCloseable {

    String name();

    /** Makes one logical call; returns its HTTP status, or throws when it failed without one. */
    int call() throws IOException;

    @Override
    default void close() {
    }
}
