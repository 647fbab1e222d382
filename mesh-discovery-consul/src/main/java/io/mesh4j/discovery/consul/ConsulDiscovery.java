package io.mesh4j.discovery.consul;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mesh4j.api.ServiceDiscovery;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Subscription;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.Checks;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.kiwiproject.consul.Consul;

/**
 * Discovery from Consul's health endpoint ({@code /v1/health/service/<name>?passing}): only instances whose checks
 * all pass. Each service in use is watched with blocking queries, so a change arrives within one round trip, and
 * the last good answer is kept when Consul fails.
 *
 * <pre>{@code
 * ConsulDiscovery discovery = ConsulDiscovery.builder()
 *     .agentUrl("http://127.0.0.1:8500")
 *     .aclToken(System.getenv("CONSUL_HTTP_TOKEN"))
 *     .build();
 * MeshClient mesh = MeshClient.builder().discovery(discovery).build();
 * }</pre>
 *
 * <p>How a watch runs, following HashiCorp's rules for blocking queries: it sends back {@code X-Consul-Index} as
 * {@code ?index=} with {@code ?wait=}; it resets the index to 0 when Consul returns a lower one, and never sends an
 * index below 1 after a response (Consul's index 0 is a known busy-loop bug); a response with the same instance set
 * tells no subscriber; the loop is rate-limited by a token bucket (burst {@code 2}, then one request per
 * {@link Builder#minRequestInterval(Duration)}) instead of sleeping every turn; errors back off exponentially with
 * jitter. The request timeout is {@code wait * 17 / 16} plus a margin, as Consul adds up to {@code wait / 16} of
 * jitter.
 *
 * <p>Stale-on-error: when Consul is down, times out, answers 5xx or malformed JSON, the last good instances stay in
 * use; the outage is logged once when it starts and once when it ends. {@link #staleness(String)} reports the age of
 * the last good answer. After {@link Builder#maxStaleness(Duration)}, if set, subscribers are given an empty list,
 * so calls fail with {@code NoHealthyInstanceException} rather than go to instances nobody has vouched for.
 *
 * <p>A service is watched from its first use; a watch nobody subscribes to and nobody asked about for
 * {@link Builder#idleTimeout(Duration)} stops. A service Consul does not know (no healthy instance and not in the
 * catalog) is remembered as unknown for a while, so calls to hosts outside the mesh do not ask Consul each time.
 *
 * <p>The ACL token travels in the {@code X-Consul-Token} header, never in the URL, and is never logged.
 *
 * <p>Thread-safe. Blocking queries go through the JDK's non-blocking HTTP client, so a watch holds no thread while it
 * waits; completions run on a few daemon threads of this discovery, and retries and rate-limited turns on one
 * scheduler thread. The Consul client ({@code org.kiwiproject:consul-client}) serves the catalog look-up and the
 * model types. Each waiting watch holds one HTTP/1.1 connection to the agent; Consul's
 * {@code limits.http_max_conns_per_client} (200 by default) bounds how many services one client can watch.
 */
public final class ConsulDiscovery implements ServiceDiscovery {

    /** Threads that complete health queries, whatever the number of watches: none of them waits on a query. */
    private static final int QUERY_THREADS = 4;

    private final Consul consul;
    private final HealthQueries health;
    private final ExecutorService httpThreads;
    private final ExecutorService queryThreads;
    private final Settings settings;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ServiceWatch> watches = new ConcurrentHashMap<>();
    private final Cache<String, Boolean> unknownServices;

    private ConsulDiscovery(Builder builder) {
        this.settings = new Settings(builder);
        this.httpThreads = ConsulClients.daemonThreads("mesh4j-consul-http");
        this.queryThreads = ConsulClients.fixedDaemonThreads("mesh4j-consul-query", QUERY_THREADS);
        this.consul = ConsulClients.create(builder.agentUrl, builder.aclToken, Duration.ofSeconds(10), httpThreads);
        this.health = new HealthQueries(builder.agentUrl, builder.aclToken, builder.wait, queryThreads);
        this.scheduler = ConsulClients.scheduler("mesh4j-consul");
        this.unknownServices = Caffeine.newBuilder()
                .expireAfterWrite(builder.unknownServiceTtl)
                .maximumSize(10_000)
                .build();
        long sweep = Math.max(1, builder.idleTimeout.toMillis() / 2);
        scheduler.scheduleWithFixedDelay(this::stopIdleWatches, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    @Nullable
    public List<ServiceInstance> instances(String service) {
        requireNonNull(service, "service");
        if (unknownServices.getIfPresent(service) != null) {
            return null;
        }
        ServiceWatch watch = watch(service);
        watch.touch();
        List<ServiceInstance> current = watch.latest(settings.firstLookupTimeout);
        if (current == null && watch.isUnknown()) {
            unknownServices.put(service, Boolean.TRUE);
            watches.remove(service, watch);
            watch.stop();
        }
        return current;
    }

    @Override
    public Subscription subscribe(String service, Listener listener) {
        requireNonNull(service, "service");
        requireNonNull(listener, "listener");
        return watch(service).subscribe(listener);
    }

    /**
     * The failure of the last query for {@code service} while Consul has never answered for it, naming the agent,
     * else {@code null}.
     */
    @Override
    @Nullable
    public Throwable failure(String service) {
        ServiceWatch watch = watches.get(service);
        Throwable failure = watch == null ? null : watch.failureBeforeAnswer();
        if (failure == null) {
            return null;
        }
        return new IOException("Consul agent at " + settings.agentUrl + " did not answer for service '" + service
                + "' (" + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage()) + ")", failure);
    }

    /** How old the last good answer for {@code service} is, or {@code null} when it has none (yet). */
    @Override
    @Nullable
    public Duration staleness(String service) {
        ServiceWatch watch = watches.get(service);
        return watch == null ? null : watch.staleness();
    }

    private ServiceWatch watch(String service) {
        ServiceWatch watch = watches.get(service);
        if (watch != null) {
            return watch;
        }
        ServiceWatch created = new ServiceWatch(service, health, consul.catalogClient(), scheduler, settings);
        ServiceWatch existing = watches.putIfAbsent(service, created);
        if (existing != null) {
            return existing;
        }
        created.start();
        return created;
    }

    private void stopIdleWatches() {
        watches.forEach((service, watch) -> {
            if (watch.isIdle()) {
                watches.remove(service, watch);
                watch.stop();
            }
        });
    }

    /** Stops every watch and the scheduler, and releases Consul's HTTP client. Idempotent. */
    @Override
    public void close() {
        watches.values().forEach(ServiceWatch::stop);
        watches.clear();
        scheduler.shutdownNow();
        consul.destroy();
        httpThreads.shutdownNow();
        queryThreads.shutdownNow();
    }

    @Override
    public String toString() {
        return "ConsulDiscovery{" + settings.agentUrl + ", watching " + watches.keySet() + '}';
    }

    /** The resolved settings a watch needs; immutable. */
    static final class Settings {
        final String agentUrl;
        @Nullable
        final String datacenter;
        @Nullable
        final String filter;
        final String zoneMetadataKey;
        @Nullable
        final String tlsMetadataKey;
        @Nullable
        final String tlsTag;
        final Duration wait;
        final Duration minRequestInterval;
        final Duration errorBackoffBase;
        final Duration errorBackoffMax;
        final Duration maxStaleness;
        final Duration idleTimeout;
        final Duration firstLookupTimeout;
        final Ticker ticker;

        Settings(Builder builder) {
            this.agentUrl = builder.agentUrl;
            this.datacenter = builder.datacenter;
            this.filter = Filters.of(builder.tags, builder.metadata);
            this.zoneMetadataKey = builder.zoneMetadataKey;
            this.tlsMetadataKey = builder.tlsMetadataKey;
            this.tlsTag = builder.tlsTag;
            this.wait = builder.wait;
            this.minRequestInterval = builder.minRequestInterval;
            this.errorBackoffBase = builder.errorBackoffBase;
            this.errorBackoffMax = builder.errorBackoffMax;
            this.maxStaleness = builder.maxStaleness;
            this.idleTimeout = builder.idleTimeout;
            this.firstLookupTimeout = builder.firstLookupTimeout;
            this.ticker = builder.ticker;
        }
    }

    /**
     * Builds a {@link ConsulDiscovery}. Not thread-safe; {@link #build()} checks ranges.
     *
     * <table>
     *   <caption>Settings and defaults</caption>
     *   <tr><th>setting</th><th>default</th><th>range</th></tr>
     *   <tr><td>{@code agentUrl}</td><td>{@code http://127.0.0.1:8500}</td><td></td></tr>
     *   <tr><td>{@code aclToken}</td><td>none (the agent's default token)</td><td></td></tr>
     *   <tr><td>{@code datacenter}</td><td>the agent's</td><td></td></tr>
     *   <tr><td>{@code tags}, {@code metadata}</td><td>none: every passing instance</td><td></td></tr>
     *   <tr><td>{@code zoneMetadataKey}</td><td>{@code zone} (service metadata, else node metadata)</td><td></td></tr>
     *   <tr><td>{@code tlsMetadataKey}</td><td>{@code secure} (service metadata {@code secure=true}, as Spring Cloud
     *   Consul registers TLS instances)</td><td>a key, or none</td></tr>
     *   <tr><td>{@code tlsTag}</td><td>none</td><td>a tag, or none</td></tr>
     *   <tr><td>{@code wait}</td><td>5 min</td><td>1 s to 10 min</td></tr>
     *   <tr><td>{@code minRequestInterval}</td><td>500 ms (after a burst of 2): a change is delivered at once when
     *   changes come at least a second apart, and a flapping service costs at most 2 requests a second</td><td>0 to
     *   10 min, at most {@code wait}</td></tr>
     *   <tr><td>{@code errorBackoffBase} / {@code errorBackoffMax}</td><td>1 s / 60 s</td><td>1 ms to 10 min</td></tr>
     *   <tr><td>{@code maxStaleness}</td><td>0 (serve the last good answer forever)</td><td>0 to 7 days</td></tr>
     *   <tr><td>{@code idleTimeout}</td><td>10 min</td><td>1 s to 1 day</td></tr>
     *   <tr><td>{@code firstLookupTimeout}</td><td>2 s</td><td>1 ms to 1 min</td></tr>
     *   <tr><td>{@code unknownServiceTtl}</td><td>30 s</td><td>1 ms to 1 h</td></tr>
     * </table>
     */
    public static final class Builder {
        private String agentUrl = "http://127.0.0.1:8500";
        @Nullable
        private String aclToken;
        @Nullable
        private String datacenter;
        private final Set<String> tags = new LinkedHashSet<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private String zoneMetadataKey = "zone";
        @Nullable
        private String tlsMetadataKey = "secure";
        @Nullable
        private String tlsTag;
        private Duration wait = Duration.ofMinutes(5);
        private Duration minRequestInterval = Duration.ofMillis(500);
        private Duration errorBackoffBase = Duration.ofSeconds(1);
        private Duration errorBackoffMax = Duration.ofSeconds(60);
        private Duration maxStaleness = Duration.ZERO;
        private Duration idleTimeout = Duration.ofMinutes(10);
        private Duration firstLookupTimeout = Duration.ofSeconds(2);
        private Duration unknownServiceTtl = Duration.ofSeconds(30);
        private Ticker ticker = Ticker.system();

        private Builder() {
        }

        public Builder agentUrl(String agentUrl) {
            this.agentUrl = requireNonNull(agentUrl, "agentUrl");
            return this;
        }

        /** The ACL token, sent as {@code X-Consul-Token}; {@code null} for the agent's default token. */
        public Builder aclToken(@Nullable String aclToken) {
            this.aclToken = aclToken;
            return this;
        }

        public Builder datacenter(@Nullable String datacenter) {
            this.datacenter = datacenter;
            return this;
        }

        /** Only instances with all these tags (a {@code filter=} on {@code Service.Tags}). */
        public Builder tags(String... tags) {
            for (String tag : tags) {
                this.tags.add(requireNonNull(tag, "tag"));
            }
            return this;
        }

        /** Only instances whose service metadata has {@code key = value}. */
        public Builder metadata(String key, String value) {
            metadata.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
            return this;
        }

        public Builder zoneMetadataKey(String zoneMetadataKey) {
            this.zoneMetadataKey = requireNonNull(zoneMetadataKey, "zoneMetadataKey");
            return this;
        }

        /**
         * The service metadata key whose value {@code true} marks an instance as serving TLS, so the mesh calls it
         * over {@code https} even for an {@code http://} URL; {@code null} for none. Default: {@code secure}.
         */
        public Builder tlsMetadataKey(@Nullable String tlsMetadataKey) {
            this.tlsMetadataKey = tlsMetadataKey;
            return this;
        }

        /** The service tag that marks an instance as serving TLS; {@code null} for none. Default: none. */
        public Builder tlsTag(@Nullable String tlsTag) {
            this.tlsTag = tlsTag;
            return this;
        }

        /** How long a blocking query may wait for a change, 1 s to 10 min, at least the request interval. Default: 5 min. */
        public Builder wait(Duration wait) {
            this.wait = requireNonNull(wait, "wait");
            return this;
        }

        /**
         * The pace of a watch's queries once its burst of 2 is spent, 0 to 10 min: bounds what a flapping service
         * costs (HashiCorp advises rate-limiting blocking queries). Default: 500 ms.
         */
        public Builder minRequestInterval(Duration minRequestInterval) {
            this.minRequestInterval = requireNonNull(minRequestInterval, "minRequestInterval");
            return this;
        }

        public Builder errorBackoff(Duration base, Duration max) {
            this.errorBackoffBase = requireNonNull(base, "base");
            this.errorBackoffMax = requireNonNull(max, "max");
            return this;
        }

        public Builder maxStaleness(Duration maxStaleness) {
            this.maxStaleness = requireNonNull(maxStaleness, "maxStaleness");
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout");
            return this;
        }

        public Builder firstLookupTimeout(Duration firstLookupTimeout) {
            this.firstLookupTimeout = requireNonNull(firstLookupTimeout, "firstLookupTimeout");
            return this;
        }

        public Builder unknownServiceTtl(Duration unknownServiceTtl) {
            this.unknownServiceTtl = requireNonNull(unknownServiceTtl, "unknownServiceTtl");
            return this;
        }

        /** The clock for staleness. Default: {@link Ticker#system()}. */
        public Builder ticker(Ticker ticker) {
            this.ticker = requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Builds the discovery and its HTTP client; watches start when services are first used.
         *
         * @throws IllegalArgumentException naming the field and its range when a value is out of range
         */
        public ConsulDiscovery build() {
            if (!agentUrl.startsWith("http://") && !agentUrl.startsWith("https://")) {
                throw new IllegalArgumentException("agentUrl: '" + agentUrl + "' (expected: an http or https URL)");
            }
            Checks.range("wait", wait, Duration.ofSeconds(1), Duration.ofMinutes(10));
            Checks.range("minRequestInterval", minRequestInterval, Duration.ZERO, Duration.ofMinutes(10));
            if (wait.compareTo(minRequestInterval) < 0) {
                throw new IllegalArgumentException("wait: " + Checks.format(wait) + " (expected: >= minRequestInterval "
                        + Checks.format(minRequestInterval) + ", as a query cannot usefully wait less than the time"
                        + " until the next one may start)");
            }
            Checks.range("errorBackoffBase", errorBackoffBase, Duration.ofMillis(1), Duration.ofMinutes(10));
            Checks.range("errorBackoffMax", errorBackoffMax, errorBackoffBase, Duration.ofMinutes(10));
            Checks.range("maxStaleness", maxStaleness, Duration.ZERO, Duration.ofDays(7));
            Checks.range("idleTimeout", idleTimeout, Duration.ofSeconds(1), Duration.ofDays(1));
            Checks.range("firstLookupTimeout", firstLookupTimeout, Duration.ofMillis(1), Duration.ofMinutes(1));
            Checks.range("unknownServiceTtl", unknownServiceTtl, Duration.ofMillis(1), Duration.ofHours(1));
            if (zoneMetadataKey.isEmpty()) {
                throw new IllegalArgumentException("zoneMetadataKey: '' (expected: a metadata key)");
            }
            if (tlsMetadataKey != null && tlsMetadataKey.isBlank()) {
                throw new IllegalArgumentException("tlsMetadataKey: '" + tlsMetadataKey
                        + "' (expected: a metadata key, or null for none)");
            }
            if (tlsTag != null && tlsTag.isBlank()) {
                throw new IllegalArgumentException("tlsTag: '" + tlsTag + "' (expected: a tag, or null for none)");
            }
            return new ConsulDiscovery(this);
        }
    }

    /** Consul's {@code filter=} expression for tag and metadata selection. */
    static final class Filters {
        private Filters() {
        }

        @Nullable
        static String of(Set<String> tags, Map<String, String> metadata) {
            List<String> clauses = new ArrayList<>();
            tags.forEach(tag -> clauses.add(quote(tag) + " in Service.Tags"));
            metadata.forEach((key, value) -> clauses.add("Service.Meta[" + quote(key) + "] == " + quote(value)));
            return clauses.isEmpty() ? null : String.join(" and ", clauses);
        }

        private static String quote(String value) {
            return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
    }
}
