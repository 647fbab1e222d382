package io.mesh4j.lb.internal;

/** A fast, well-mixed 64-bit string hash for consistent hashing; stable across JVMs and runs. */
final class Hashing {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Hashing() {
    }

    /** FNV-1a over the UTF-16 code units, finished with {@link #mix64}. */
    static long hash64(String value) {
        long hash = FNV_OFFSET;
        for (int i = 0, n = value.length(); i < n; i++) {
            hash = (hash ^ value.charAt(i)) * FNV_PRIME;
        }
        return mix64(hash);
    }

    /** The SplitMix64 finalizer: spreads every input bit over every output bit. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
