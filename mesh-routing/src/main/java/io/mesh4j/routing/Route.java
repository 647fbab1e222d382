package io.mesh4j.routing;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.Checks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One route of a service: the requests it takes ({@link RouteMatch}) and where they go, one subset or weighted splits
 * across subsets (a 90/10 canary). A split is random per request, or sticky on a header: the same value always lands
 * on the same side while the weights stay the same, so one user stays on one side of a canary.
 *
 * <p>A route may also change how its requests are sent; what it leaves unset is the service's setting: the whole
 * call's {@linkplain Builder#timeout timeout}, the {@linkplain Builder#perTryTimeout per-try timeout}, the
 * {@linkplain Builder#retries attempts} and {@linkplain Builder#retryOn statuses retried}, {@linkplain Builder#hedging
 * hedging}; headers {@linkplain Builder#setRequestHeader set} and {@linkplain Builder#removeRequestHeader removed},
 * the matched path prefix {@linkplain Builder#prefixRewrite rewritten}, the {@linkplain Builder#authority authority}
 * the backend sees, {@linkplain Builder#fault faults} injected, and a share of requests {@linkplain Builder#mirror
 * mirrored}.
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
    @Nullable
    private final Duration timeout;
    @Nullable
    private final Duration perTryTimeout;
    private final int maxAttempts;
    @Nullable
    private final Set<Integer> retryOn;
    private final int maxHedges;
    @Nullable
    private final Duration hedgeDelay;
    private final Map<String, String> setHeaders;
    private final Set<String> removeHeaders;
    @Nullable
    private final String prefixRewrite;
    @Nullable
    private final String authority;
    @Nullable
    private final Fault fault;
    @Nullable
    private final Mirror mirror;

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
        this.timeout = builder.timeout;
        this.perTryTimeout = builder.perTryTimeout;
        this.maxAttempts = builder.maxAttempts;
        this.retryOn = builder.retryOn == null ? null : Set.copyOf(builder.retryOn);
        this.maxHedges = builder.maxHedges;
        this.hedgeDelay = builder.hedgeDelay;
        this.setHeaders = Map.copyOf(builder.setHeaders);
        this.removeHeaders = Set.copyOf(builder.removeHeaders);
        this.prefixRewrite = builder.prefixRewrite;
        this.authority = builder.authority;
        this.fault = builder.fault;
        this.mirror = builder.mirror;
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

    /** The header whose value keeps a request on one side of a split, or {@code null}. */
    @Nullable
    public String stickyHeader() {
        return stickyHeader;
    }

    /** The whole call's timeout on this route, or {@code null} for the service's. */
    @Nullable
    public Duration timeout() {
        return timeout;
    }

    /** Each attempt's timeout on this route, or {@code null} for the service's. */
    @Nullable
    public Duration perTryTimeout() {
        return perTryTimeout;
    }

    /** Attempts per call on this route, the first included; 0 for the service's. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The response statuses retried on this route, or {@code null} for the service's. */
    @Nullable
    public Set<Integer> retryOn() {
        return retryOn;
    }

    /** Hedges per call on this route: -1 for the service's setting, 0 for none. */
    public int maxHedges() {
        return maxHedges;
    }

    /** The wait before each hedge when {@link #maxHedges()} is above 0, else {@code null}. */
    @Nullable
    public Duration hedgeDelay() {
        return hedgeDelay;
    }

    /** Headers set on this route's requests (replacing any value they had), by lower-case name. */
    public Map<String, String> setRequestHeaders() {
        return setHeaders;
    }

    /** Headers removed from this route's requests, lower case. */
    public Set<String> removeRequestHeaders() {
        return removeHeaders;
    }

    /** What replaces the matched path prefix, or {@code null} to keep the path. */
    @Nullable
    public String prefixRewrite() {
        return prefixRewrite;
    }

    /**
     * {@code path} with the matched prefix replaced by {@link #prefixRewrite()}; {@code path} itself when there is
     * none. The path must be one this route's match took.
     */
    public String rewritePath(String path) {
        if (prefixRewrite == null) {
            return path;
        }
        String rest = path.substring(match.path().prefix().length());
        if (!rest.isEmpty() && rest.charAt(0) != '/') {
            rest = '/' + rest;
        }
        if (prefixRewrite.endsWith("/") && rest.startsWith("/")) {
            rest = rest.substring(1);
        }
        String rewritten = prefixRewrite + rest;
        return rewritten.isEmpty() ? "/" : rewritten;
    }

    /** The {@code Host} the backend sees on this route, or {@code null} for the service's setting. */
    @Nullable
    public String authority() {
        return authority;
    }

    /** The faults this route injects, or {@code null} for none. */
    @Nullable
    public Fault fault() {
        return fault;
    }

    /** Where the route copies a share of its requests, or {@code null} for nowhere. */
    @Nullable
    public Mirror mirror() {
        return mirror;
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
        text.append(stickyHeader == null ? "" : ", sticky on " + stickyHeader);
        text.append(timeout == null ? "" : ", timeout " + Checks.format(timeout));
        text.append(perTryTimeout == null ? "" : ", perTryTimeout " + Checks.format(perTryTimeout));
        text.append(maxAttempts == 0 ? "" : ", retries " + maxAttempts).append(retryOn == null ? "" : " on " + retryOn);
        text.append(maxHedges < 0 ? "" : maxHedges == 0 ? ", no hedging"
                : ", hedging " + maxHedges + " after " + Checks.format(hedgeDelay));
        text.append(setHeaders.isEmpty() ? "" : ", set " + setHeaders.keySet());
        text.append(removeHeaders.isEmpty() ? "" : ", remove " + removeHeaders);
        text.append(prefixRewrite == null ? "" : ", prefix rewrite '" + prefixRewrite + "'");
        text.append(authority == null ? "" : ", authority " + authority);
        text.append(fault == null ? "" : ", " + fault);
        return text.append(mirror == null ? "" : ", " + mirror).append('}').toString();
    }

    /** Builds a {@link Route}. Not thread-safe; {@link #build()} checks that it sends somewhere. */
    public static final class Builder {
        private final String name;
        private RouteMatch match = RouteMatch.any();
        private final Map<String, Integer> weights = new LinkedHashMap<>();
        @Nullable
        private String stickyHeader;
        @Nullable
        private Duration timeout;
        @Nullable
        private Duration perTryTimeout;
        private int maxAttempts;
        @Nullable
        private Set<Integer> retryOn;
        private int maxHedges = -1;
        @Nullable
        private Duration hedgeDelay;
        private final Map<String, String> setHeaders = new LinkedHashMap<>();
        private final Set<String> removeHeaders = new LinkedHashSet<>();
        @Nullable
        private String prefixRewrite;
        @Nullable
        private String authority;
        @Nullable
        private Fault fault;
        @Nullable
        private Mirror mirror;

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

        /** The whole call's timeout, 1 ms to 1 h, at least the per-try timeout. Default: the service's. */
        public Builder timeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            Checks.range("timeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
            this.timeout = timeout;
            return this;
        }

        /** Each attempt's timeout, 1 ms to 1 h. Default: the service's. */
        public Builder perTryTimeout(Duration perTryTimeout) {
            requireNonNull(perTryTimeout, "perTryTimeout");
            Checks.range("perTryTimeout", perTryTimeout, Duration.ofMillis(1), Duration.ofHours(1));
            this.perTryTimeout = perTryTimeout;
            return this;
        }

        /**
         * Attempts per call, the first included, 1 (no retry) to 10, within the service's retry budget. Default:
         * the service's.
         */
        public Builder retries(int maxAttempts) {
            Checks.range("maxAttempts", maxAttempts, 1, 10);
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** The response statuses retried, each 500 to 599 or 429. Default: the service's. */
        public Builder retryOn(int... statuses) {
            Set<Integer> set = new LinkedHashSet<>();
            for (int status : requireNonNull(statuses, "statuses")) {
                if (status != 429 && (status < 500 || status > 599)) {
                    throw new IllegalArgumentException("retryOn: " + status + " (expected: 500 to 599, or 429)");
                }
                set.add(status);
            }
            this.retryOn = set;
            return this;
        }

        /**
         * Hedges (backup requests) per call, 0 (none) to 5, each {@code delay} (1 ms to 1 min) after the one before;
         * for idempotent requests with a replayable body only, within the service's retry budget. Default: the
         * service's hedging.
         */
        public Builder hedging(int maxHedges, Duration delay) {
            Checks.range("maxHedges", maxHedges, 0, 5);
            requireNonNull(delay, "delay");
            Checks.range("hedgeDelay", delay, Duration.ofMillis(1), Duration.ofMinutes(1));
            this.maxHedges = maxHedges;
            this.hedgeDelay = maxHedges == 0 ? null : delay;
            return this;
        }

        /** Sets header {@code name} to {@code value} on every request of the route, replacing the caller's. */
        public Builder setRequestHeader(String name, String value) {
            String key = headerName(name);
            requireNonNull(value, "value");
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                    throw new IllegalArgumentException("header '" + key + "': value with character " + (int) c
                            + " (expected: visible ASCII, space or tab)");
                }
            }
            setHeaders.put(key, value);
            return this;
        }

        /** Removes header {@code name} from every request of the route. */
        public Builder removeRequestHeader(String name) {
            removeHeaders.add(headerName(name));
            return this;
        }

        private static String headerName(String name) {
            requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("header name: '' (expected: a header name)");
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c <= 0x20 || c >= 0x7f || c == ':') {
                    throw new IllegalArgumentException("header name: '" + name + "' (expected: visible ASCII"
                            + " without ':')");
                }
            }
            if (name.equalsIgnoreCase("host")) {
                throw new IllegalArgumentException("header name: '" + name + "' (expected: not Host; use"
                        + " authority(...))");
            }
            return name.toLowerCase(Locale.ROOT);
        }

        /**
         * Replaces the prefix the route matched (its {@link PathMatch#prefix}) with {@code prefix}, as Envoy's
         * {@code prefix_rewrite} does: {@code /v1} matched and rewritten to {@code /api/v1} sends
         * {@code /v1/items} as {@code /api/v1/items}.
         */
        public Builder prefixRewrite(String prefix) {
            requireNonNull(prefix, "prefix");
            if (!prefix.isEmpty() && !prefix.startsWith("/")) {
                throw new IllegalArgumentException("prefixRewrite: '" + prefix + "' (expected: '' or a path"
                        + " starting with '/')");
            }
            this.prefixRewrite = prefix;
            return this;
        }

        /** The {@code Host} header the backend sees, such as {@code orders.internal}. Default: the service's. */
        public Builder authority(String authority) {
            requireNonNull(authority, "authority");
            if (authority.isEmpty() || !authority.matches("[A-Za-z0-9._\\-]+(:[0-9]{1,5})?")) {
                throw new IllegalArgumentException("authority: '" + authority + "' (expected: host or host:port)");
            }
            this.authority = authority;
            return this;
        }

        /** Injects {@code fault} into the route's requests. Default: none. */
        public Builder fault(Fault fault) {
            this.fault = requireNonNull(fault, "fault");
            return this;
        }

        /** Copies a share of the route's requests elsewhere, fire and forget. Default: none. */
        public Builder mirror(Mirror mirror) {
            this.mirror = requireNonNull(mirror, "mirror");
            return this;
        }

        /**
         * Builds the route.
         *
         * @throws IllegalArgumentException when it sends nowhere, when its per-try timeout is longer than its
         *     timeout, or when it rewrites a prefix it does not match
         */
        public Route build() {
            if (weights.isEmpty()) {
                throw new IllegalArgumentException("route '" + name + "': no destination (expected: to(subset) or"
                        + " split(subset, weight))");
            }
            if (timeout != null && perTryTimeout != null && perTryTimeout.compareTo(timeout) > 0) {
                throw new IllegalArgumentException("route '" + name + "': perTryTimeout "
                        + Checks.format(perTryTimeout) + " (expected: <= timeout " + Checks.format(timeout) + ")");
            }
            if (prefixRewrite != null && match.path().prefix() == null) {
                throw new IllegalArgumentException("route '" + name + "': prefixRewrite without a path prefix to"
                        + " replace (expected: match(...path(PathMatch.prefix(...))...))");
            }
            return new Route(this);
        }
    }
}
