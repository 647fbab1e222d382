package io.mesh4j.lb.internal;

import io.mesh4j.api.balancer.RequestContext;
import io.mesh4j.lb.Algorithm;
import java.util.Arrays;

/** The {@link Selector} of each {@link Algorithm}. */
final class Selectors {

    /** The longest weighted round-robin schedule; larger weight sums are scaled down to it. */
    static final int MAX_SCHEDULE = 65_536;

    /**
     * Fixed-point bits of a schedule deadline {@code k / w}. Scaled weights are at most {@link #MAX_SCHEDULE} = 2^16,
     * so two distinct deadlines differ by at least 2^-32 and their fixed-point values by at least 64: the sort orders
     * them exactly as the fractions. A deadline is at most 1, so it takes 39 bits, and the index 24 more.
     */
    private static final int DEADLINE_FRACTION_BITS = 38;
    private static final int SCHEDULE_INDEX_BITS = 24;
    private static final long SCHEDULE_INDEX_MASK = (1L << SCHEDULE_INDEX_BITS) - 1;

    private Selectors() {
    }

    /**
     * @param candidates non-empty, with distinct ids
     * @param position the balancer's round-robin positions, shared by its snapshots so an update does not restart
     *     the rotation
     */
    static Selector create(Algorithm algorithm, BalancedEndpoint[] candidates, MeshLoadBalancer owner,
            StripedCursor position) {
        switch (algorithm) {
            case ROUND_ROBIN:
                return new RoundRobin(candidates, position);
            case RANDOM:
                return context -> candidates[owner.random().nextInt(candidates.length)];
            case WEIGHTED_ROUND_ROBIN:
                return weighted(candidates, position);
            case LEAST_REQUEST:
                return new LeastRequest(candidates, owner);
            case PEAK_EWMA:
                return new PeakEwma(candidates, owner);
            case RING_HASH:
                return new RingHash(candidates, owner);
            default:
                throw new AssertionError(algorithm);
        }
    }

    private static final class RoundRobin implements Selector {
        private final BalancedEndpoint[] endpoints;
        private final StripedCursor position;

        RoundRobin(BalancedEndpoint[] endpoints, StripedCursor position) {
            this.endpoints = endpoints;
            this.position = position;
        }

        @Override
        public BalancedEndpoint select(RequestContext context) {
            return endpoints[position.next() % endpoints.length];
        }
    }

    /**
     * Weighted round robin from a schedule computed once: earliest-deadline-first over the weights, where an
     * instance of weight w has its k-th deadline at k / w, ties going to the lower index. The result interleaves
     * instances in proportion to their weights, and picking is one step of a cursor. The schedule is one cycle's
     * deadlines sorted: each packed into a {@code long} as the deadline in fixed point (exact enough that distinct
     * fractions stay distinct and ordered) above the candidate's index, so building it is a primitive sort.
     */
    static Selector weighted(BalancedEndpoint[] candidates, StripedCursor position) {
        if (candidates.length > SCHEDULE_INDEX_MASK) {
            throw new IllegalArgumentException("instances: " + candidates.length
                    + " (expected: at most " + SCHEDULE_INDEX_MASK + " for weighted round robin)");
        }
        int[] weights = scaledWeights(candidates);
        boolean equal = Arrays.stream(weights).allMatch(w -> w == weights[0]);
        if (equal) {
            return new RoundRobin(candidates, position);
        }
        long[] deadlines = new long[Arrays.stream(weights).sum()];
        int next = 0;
        for (int i = 0; i < weights.length; i++) {
            for (long k = 1; k <= weights[i]; k++) {
                deadlines[next++] = (k << DEADLINE_FRACTION_BITS) / weights[i] << SCHEDULE_INDEX_BITS | i;
            }
        }
        Arrays.sort(deadlines);
        BalancedEndpoint[] schedule = new BalancedEndpoint[deadlines.length];
        for (int slot = 0; slot < schedule.length; slot++) {
            schedule[slot] = candidates[(int) (deadlines[slot] & SCHEDULE_INDEX_MASK)];
        }
        return new RoundRobin(schedule, position);
    }

    /** Weights divided by their greatest common divisor, then scaled down (to at least 1) to fit the schedule. */
    static int[] scaledWeights(BalancedEndpoint[] candidates) {
        int[] weights = new int[candidates.length];
        int gcd = 0;
        long sum = 0;
        for (int i = 0; i < candidates.length; i++) {
            weights[i] = candidates[i].instance().weight();
            gcd = gcd(gcd, weights[i]);
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] /= gcd;
            sum += weights[i];
        }
        if (sum > MAX_SCHEDULE) {
            double scale = (double) MAX_SCHEDULE / sum;
            for (int i = 0; i < weights.length; i++) {
                weights[i] = (int) Math.max(1, Math.round(weights[i] * scale));
            }
        }
        return weights;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** Draws two distinct indices at random from one 64-bit draw; with one candidate, picks it. */
    private abstract static class PowerOfTwo implements Selector {
        final BalancedEndpoint[] endpoints;
        final MeshLoadBalancer owner;

        PowerOfTwo(BalancedEndpoint[] endpoints, MeshLoadBalancer owner) {
            this.endpoints = endpoints;
            this.owner = owner;
        }

        @Override
        public final BalancedEndpoint select(RequestContext context) {
            int n = endpoints.length;
            if (n == 1) {
                return endpoints[0];
            }
            long bits = owner.random().nextLong();
            int first = scale((int) (bits >>> 32), n);
            int second = scale((int) bits, n - 1);
            if (second >= first) {
                second++;
            }
            BalancedEndpoint a = endpoints[first];
            BalancedEndpoint b = endpoints[second];
            return picked(prefersSecond(a, b) ? b : a, context);
        }

        abstract boolean prefersSecond(BalancedEndpoint a, BalancedEndpoint b);

        /** The endpoint the two choices gave, as the pick's result; a subclass may tell {@code context} about it. */
        BalancedEndpoint picked(BalancedEndpoint chosen, RequestContext context) {
            return chosen;
        }

        /**
         * Maps 32 random bits to {@code [0, bound)} by multiplying and shifting (Lemire): one random draw serves
         * both choices, and no division is needed. The bias, at most {@code bound / 2^32}, is far below what a
         * balancer could notice.
         */
        private static int scale(int randomBits, int bound) {
            return (int) (((randomBits & 0xFFFF_FFFFL) * bound) >>> 32);
        }
    }

    private static final class LeastRequest extends PowerOfTwo {
        LeastRequest(BalancedEndpoint[] endpoints, MeshLoadBalancer owner) {
            super(endpoints, owner);
        }

        @Override
        boolean prefersSecond(BalancedEndpoint a, BalancedEndpoint b) {
            return b.inFlight() < a.inFlight();
        }
    }

    private static final class PeakEwma extends PowerOfTwo {
        PeakEwma(BalancedEndpoint[] endpoints, MeshLoadBalancer owner) {
            super(endpoints, owner);
        }

        @Override
        boolean prefersSecond(BalancedEndpoint a, BalancedEndpoint b) {
            return b.lighterThan(a);
        }

        /** A pick of an endpoint with no estimate (fresh, or claimed for a probe) is for measuring it. */
        @Override
        BalancedEndpoint picked(BalancedEndpoint chosen, RequestContext context) {
            if (chosen.unmeasured()) {
                context.measureToEnd();
            }
            return chosen;
        }
    }

    /**
     * A ring of points, each instance owning points in proportion to its weight (at least one, at least
     * {@code minRingSize} in all). Points per unit of weight are rounded up to a power of two, so they stay the same
     * while instances come and go (until the count crosses a power of two): an instance leaving takes only its own
     * points away, and only its keys move. A key goes to the owner of the first point at or after the key's hash. Points are
     * packed as the top 40 bits of the point's hash above a 24-bit candidate index, so one sorted {@code long[]}
     * holds the ring.
     */
    static final class RingHash implements Selector {
        private static final int INDEX_BITS = 24;
        private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
        private static final long GOLDEN = 0x9E3779B97F4A7C15L;

        private final BalancedEndpoint[] endpoints;
        private final long[] ring;
        private final MeshLoadBalancer owner;

        RingHash(BalancedEndpoint[] endpoints, MeshLoadBalancer owner) {
            if (endpoints.length > INDEX_MASK) {
                throw new IllegalArgumentException("instances: " + endpoints.length
                        + " (expected: at most " + INDEX_MASK + " for ring hash)");
            }
            this.endpoints = endpoints;
            this.owner = owner;
            long totalWeight = 0;
            for (BalancedEndpoint endpoint : endpoints) {
                totalWeight += endpoint.instance().weight();
            }
            double scale = pointsPerWeight(owner.config().minRingSize(), totalWeight);
            int[] points = new int[endpoints.length];
            int size = 0;
            for (int i = 0; i < endpoints.length; i++) {
                points[i] = (int) Math.max(1, Math.ceil(endpoints[i].instance().weight() * scale));
                size += points[i];
            }
            long[] packed = new long[size];
            int next = 0;
            for (int i = 0; i < endpoints.length; i++) {
                long idHash = Hashing.hash64(endpoints[i].instance().id());
                for (int p = 0; p < points[i]; p++) {
                    long point = Hashing.mix64(idHash + (p + 1) * GOLDEN);
                    packed[next++] = (point >>> INDEX_BITS) << INDEX_BITS | i;
                }
            }
            Arrays.sort(packed);
            this.ring = packed;
        }

        /** {@code minRingSize / totalWeight}, rounded up to a power of two. */
        static double pointsPerWeight(int minRingSize, long totalWeight) {
            double scale = (double) minRingSize / totalWeight;
            return Math.pow(2, Math.ceil(Math.log(scale) / Math.log(2)));
        }

        @Override
        public BalancedEndpoint select(RequestContext context) {
            String key = context.hashKey();
            if (key == null) {
                return endpoints[owner.random().nextInt(endpoints.length)];
            }
            long position = (Hashing.hash64(key) >>> INDEX_BITS) << INDEX_BITS;
            int at = Arrays.binarySearch(ring, position);
            if (at < 0) {
                at = -at - 1;
            }
            if (at == ring.length) {
                at = 0;
            }
            return endpoints[(int) (ring[at] & INDEX_MASK)];
        }
    }
}
