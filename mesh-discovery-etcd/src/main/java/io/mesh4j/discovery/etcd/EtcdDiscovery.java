package io.mesh4j.discovery.etcd;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.Client;
import io.mesh4j.api.ServiceDiscovery;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Subscription;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.Checks;
import io.mesh4j.api.internal.DaemonThreads;
import io.mesh4j.discovery.etcd.internal.InstanceCodec;
import io.mesh4j.discovery.etcd.internal.PrefixWatch;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Discovery from etcd: every instance is a key {@code <prefix><service>/<instance-id>} whose value is JSON
 * ({@code {"address":"10.0.0.7","port":8080,"zone":"eu-1a","weight":100,"tags":["v2"],"metadata":{},"secure":false}},
 * only {@code address} and {@code port} required), as {@link EtcdRegistration} writes them.
 *
 * <pre>{@code
 * EtcdDiscovery discovery = EtcdDiscovery.builder().connection(EtcdConnection.of("http://127.0.0.1:2379")).build();
 * MeshClient mesh = MeshClient.builder().discovery(discovery).build();
 * }</pre>
 *
 * <p>The whole prefix is read once, then watched from the read's revision, so a change reaches subscribers within
 * one watch event and nothing changed between the read and the watch is lost. A compacted revision, a cancelled watch
 * or a lost connection starts over with a fresh read; the instances read before stay in use meanwhile, never an
 * empty set. While etcd does not answer (a count-only read every {@code probeInterval} tells), the last good set is
 * served and {@link #staleness(String)} grows; after {@code maxStaleness}, if set, subscribers get empty lists, so
 * calls fail with {@code NoHealthyInstanceException} rather than go to instances nobody has vouched for. A value that
 * does not decode is skipped with a warning naming its key. Services with no key are unknown ({@code null}), at no
 * cost: every service of the prefix is in memory.
 *
 * <p>The same contract as {@code ConsulDiscovery}, so one builder line swaps one for the other. How to reach etcd
 * (members, authentication, TLS) is an {@link EtcdConnection}, shared with {@link EtcdRegistration}.
 *
 * <p>Thread-safe. One daemon thread of this discovery applies changes and notifies subscribers, in order; the etcd
 * client (jetcd, over gRPC) has its own threads. {@link #close()} stops both.
 */
public final class EtcdDiscovery implements ServiceDiscovery {

    private final Client client;
    private final ScheduledExecutorService thread;
    private final PrefixWatch watch;
    private final Duration firstLookupTimeout;
    private final EtcdConnection connection;

    private EtcdDiscovery(Builder builder, PrefixWatch.BeforeWatch beforeWatch) {
        this.connection = builder.connection;
        this.firstLookupTimeout = builder.firstLookupTimeout;
        this.client = builder.connection.newClient();
        this.thread = DaemonThreads.scheduler("mesh4j-etcd-discovery");
        this.watch = new PrefixWatch(client, new InstanceCodec(builder.prefix), thread, builder.ticker,
                builder.probeInterval, builder.maxStaleness, builder.errorBackoffBase, builder.errorBackoffMax,
                beforeWatch);
        watch.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The instances of {@code service}, or {@code null} when no key names it. The first call waits up to
     * {@code firstLookupTimeout} for the first read of the prefix.
     */
    @Override
    @Nullable
    public List<ServiceInstance> instances(String service) {
        return watch.instances(requireNonNull(service, "service"), firstLookupTimeout);
    }

    @Override
    public Subscription subscribe(String service, Listener listener) {
        return watch.subscribe(requireNonNull(service, "service"), requireNonNull(listener, "listener"));
    }

    /** Zero while etcd answers; while it does not, the time since it last did; {@code null} before the first read. */
    @Override
    @Nullable
    public Duration staleness(String service) {
        return watch.staleness();
    }

    /** Why etcd has not answered, while it never has, naming the endpoints; else {@code null}. */
    @Override
    @Nullable
    public Throwable failure(String service) {
        Throwable failure = watch.failureBeforeFirstRead();
        if (failure == null) {
            return null;
        }
        return new IOException("etcd at " + connection.endpoints() + " did not answer ("
                + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage()) + ")", failure);
    }

    /** Stops the watch, this discovery's thread and the etcd client. Idempotent. */
    @Override
    public void close() {
        watch.close();
        thread.shutdown();
        client.close();
    }

    @Override
    public String toString() {
        return "EtcdDiscovery{" + connection + '}';
    }

    /**
     * Builds an {@link EtcdDiscovery}. Not thread-safe; {@link #build()} checks ranges.
     *
     * <table>
     *   <caption>Settings and defaults</caption>
     *   <tr><th>setting</th><th>default</th><th>range</th></tr>
     *   <tr><td>{@code connection}</td><td>{@link EtcdConnection#local()}</td><td></td></tr>
     *   <tr><td>{@code prefix}</td><td>{@code /services/}</td><td>starts and ends with {@code /}</td></tr>
     *   <tr><td>{@code probeInterval}</td><td>5 s</td><td>10 ms to 10 min</td></tr>
     *   <tr><td>{@code maxStaleness}</td><td>0 (serve the last good set forever)</td><td>0 to 7 days</td></tr>
     *   <tr><td>{@code errorBackoffBase} / {@code errorBackoffMax}</td><td>200 ms / 30 s</td>
     *   <td>1 ms to 10 min</td></tr>
     *   <tr><td>{@code firstLookupTimeout}</td><td>2 s</td><td>1 ms to 1 min</td></tr>
     * </table>
     */
    public static final class Builder {
        private EtcdConnection connection = EtcdConnection.local();
        private String prefix = "/services/";
        private Duration probeInterval = Duration.ofSeconds(5);
        private Duration maxStaleness = Duration.ZERO;
        private Duration errorBackoffBase = Duration.ofMillis(200);
        private Duration errorBackoffMax = Duration.ofSeconds(30);
        private Duration firstLookupTimeout = Duration.ofSeconds(2);
        private Ticker ticker = Ticker.system();

        private Builder() {
        }

        /** How to reach etcd. Default: {@link EtcdConnection#local()}. */
        public Builder connection(EtcdConnection connection) {
            this.connection = requireNonNull(connection, "connection");
            return this;
        }

        /** The key prefix of instances, {@code <prefix><service>/<instance-id>}. */
        public Builder prefix(String prefix) {
            this.prefix = requireNonNull(prefix, "prefix");
            return this;
        }

        /** How often a count-only read checks that etcd answers. */
        public Builder probeInterval(Duration probeInterval) {
            this.probeInterval = requireNonNull(probeInterval, "probeInterval");
            return this;
        }

        /** How long without etcd before subscribers get empty lists; zero serves the last good set forever. */
        public Builder maxStaleness(Duration maxStaleness) {
            this.maxStaleness = requireNonNull(maxStaleness, "maxStaleness");
            return this;
        }

        /** The waits between failed reads: exponential from {@code base} up to {@code max}, with jitter. */
        public Builder errorBackoff(Duration base, Duration max) {
            this.errorBackoffBase = requireNonNull(base, "base");
            this.errorBackoffMax = requireNonNull(max, "max");
            return this;
        }

        /** How long the first {@link EtcdDiscovery#instances} waits for the first read of the prefix. */
        public Builder firstLookupTimeout(Duration firstLookupTimeout) {
            this.firstLookupTimeout = requireNonNull(firstLookupTimeout, "firstLookupTimeout");
            return this;
        }

        /** The clock for staleness. Default: {@link Ticker#system()}. */
        public Builder ticker(Ticker ticker) {
            this.ticker = requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Builds the discovery, connects and starts reading the prefix.
         *
         * @throws IllegalArgumentException naming the field and its range when a value is out of range
         */
        public EtcdDiscovery build() {
            return build(PrefixWatch.BeforeWatch.NONE);
        }

        EtcdDiscovery build(PrefixWatch.BeforeWatch beforeWatch) {
            checkPrefix(prefix);
            Checks.range("probeInterval", probeInterval, Duration.ofMillis(10), Duration.ofMinutes(10));
            Checks.range("maxStaleness", maxStaleness, Duration.ZERO, Duration.ofDays(7));
            Checks.range("errorBackoffBase", errorBackoffBase, Duration.ofMillis(1), Duration.ofMinutes(10));
            Checks.range("errorBackoffMax", errorBackoffMax, errorBackoffBase, Duration.ofMinutes(10));
            Checks.range("firstLookupTimeout", firstLookupTimeout, Duration.ofMillis(1), Duration.ofMinutes(1));
            return new EtcdDiscovery(this, beforeWatch);
        }
    }

    static void checkPrefix(String prefix) {
        if (!prefix.startsWith("/") || !prefix.endsWith("/") || prefix.length() < 2) {
            throw new IllegalArgumentException("prefix: '" + prefix + "' (expected: a key prefix that starts and ends"
                    + " with '/', such as '/services/')");
        }
    }
}
