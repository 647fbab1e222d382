package io.mesh4j.routing;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.annotation.Nullable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One route of a service: the requests it takes ({@link RouteMatch}) and where they go, one subset or weighted splits
 * across subsets (a 90/10 canary). A split is random per request, or sticky on a header: the same value always lands
 * on the same side while the weights stay the same, so one user stays on one side of a canary.
 *
 * <pre>{@code
 * Route canary = Route.builder("items-canary")
 *     .match(RouteMatch.builder().path(PathMatch.prefix("/v1/items")).build())
 *     .split("v1", 90).split("v2", 10).stickyOn("x-user-id")
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; picking a subset allocates nothing.
 */
public final class Route {

    private final String name;
    private final RouteMatch match;
    private final String[] subsets;
    private final int[] cumulativeWeights;
    private final int totalWeight;
    @Nullable
    private final String stickyHeader;

    private Route(Builder builder) {
        this.name = builder.name;
        this.match = builder.match;
        this.subsets = builder.weights.keySet().toArray(String[]::new);
        this.cumulativeWeights = new int[subsets.length];
        int total = 0;
        int i = 0;
        for (int weight : builder.weights.values()) {
            total += weight;
            cumulativeWeights[i++] = total;
        }
        this.totalWeight = total;
        this.stickyHeader = builder.stickyHeader;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public RouteMatch match() {
        return match;
    }

    /** The subsets this route sends to, in the order given. */
    public List<String> subsets() {
        return List.of(subsets);
    }

    /** The weight of {@code subset} in this route, 0 when the route does not send to it. */
    public int weight(String subset) {
        for (int i = 0; i < subsets.length; i++) {
            if (subsets[i].equals(subset)) {
                return cumulativeWeights[i] - (i == 0 ? 0 : cumulativeWeights[i - 1]);
            }
        }
        return 0;
    }

    /**
     * The subset for {@code request}: the only one, or a weighted choice, sticky on the configured header when the
     * request has it, else drawn from {@code random} (any long, such as
     * {@code ThreadLocalRandom.current().nextLong()}).
     */
    public String pickSubset(RoutedRequest request, long random) {
        if (subsets.length == 1) {
            return subsets[0];
        }
        long draw = random;
        if (stickyHeader != null) {
            String key = request.header(stickyHeader);
            if (key != null) {
                draw = mix(key.hashCode());
            }
        }
        int point = (int) Math.floorMod(draw, (long) totalWeight);
        for (int i = 0; i < cumulativeWeights.length; i++) {
            if (point < cumulativeWeights[i]) {
                return subsets[i];
            }
        }
        return subsets[subsets.length - 1];
    }

    /** Spreads a string hash over all 64 bits (the finalizer of MurmurHash3), so similar keys land apart. */
    private static long mix(int hash) {
        long h = hash;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Route{").append(name).append(", ").append(match).append(" -> ");
        for (int i = 0; i < subsets.length; i++) {
            text.append(i == 0 ? "" : ", ").append(subsets[i]).append(' ').append(weight(subsets[i]));
        }
        return text.append(stickyHeader == null ? "" : ", sticky on " + stickyHeader).append('}').toString();
    }

    /** Builds a {@link Route}. Not thread-safe; {@link #build()} checks that it sends somewhere. */
    public static final class Builder {
        private final String name;
        private RouteMatch match = RouteMatch.any();
        private final Map<String, Integer> weights = new LinkedHashMap<>();
        @Nullable
        private String stickyHeader;

        private Builder(String name) {
            requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name: '' (expected: a route name)");
            }
            this.name = name;
        }

        public Builder match(RouteMatch match) {
            this.match = requireNonNull(match, "match");
            return this;
        }

        /** Sends every request to {@code subset}; replaces any splits. */
        public Builder to(String subset) {
            weights.clear();
            return split(subset, 1);
        }

        /** Sends a share of {@code weight} (1 to 10,000) to {@code subset}. */
        public Builder split(String subset, int weight) {
            requireNonNull(subset, "subset");
            if (weight < 1 || weight > 10_000) {
                throw new IllegalArgumentException("weight: " + weight + " (expected: 1 to 10000)");
            }
            if (weights.containsKey(subset)) {
                throw new IllegalArgumentException("split: '" + subset + "' twice in route '" + name
                        + "' (expected: each subset once)");
            }
            weights.put(subset, weight);
            return this;
        }

        /** Keeps requests with the same value of {@code header} on the same side of a split. */
        public Builder stickyOn(String header) {
            this.stickyHeader = requireNonNull(header, "header");
            return this;
        }

        /**
         * Builds the route.
         *
         * @throws IllegalArgumentException when it sends nowhere
         */
        public Route build() {
            if (weights.isEmpty()) {
                throw new IllegalArgumentException("route '" + name + "': no destination (expected: to(subset) or"
                        + " split(subset, weight))");
            }
            return new Route(this);
        }
    }
}
