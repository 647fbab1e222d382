package io.mesh4j.benchmarks.scenarios;

/**
 * How long the scenarios run: {@code SHORT} for a quick look (about 3 minutes in all), {@code DEFAULT} for the
 * README's figures (under 10 minutes), {@code LONG} for figures to publish (about 27 minutes). Only the number of
 * interleaved rounds and the length of the blocks change; every loop stays bounded in time and in count.
 */
enum Pace {
    SHORT(1, 0.5),
    DEFAULT(2, 1),
    LONG(5, 1.5);

    private final int rounds;
    private final double blockScale;

    Pace(int rounds, double blockScale) {
        this.rounds = rounds;
        this.blockScale = blockScale;
    }

    /** Interleaved rounds: at least one, {@code base} times this pace's factor. */
    int rounds(int base) {
        return Math.max(1, base * rounds / 2);
    }

    /** A block length in nanoseconds: {@code baseMillis} scaled for this pace. */
    long blockNanos(long baseMillis) {
        return (long) (baseMillis * blockScale) * 1_000_000L;
    }
}
