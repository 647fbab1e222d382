package io.mesh4j.discovery.consul;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.kiwiproject.consul.AgentClient;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.model.agent.ImmutableRegCheck;
import org.kiwiproject.consul.model.agent.ImmutableRegistration;
import org.kiwiproject.consul.model.agent.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this process's own instance with the local Consul agent and keeps it registered: with a TTL check kept
 * passing by a heartbeat (default), or an HTTP check the agent runs. When a heartbeat fails because the agent no
 * longer knows the check (an agent restart loses registrations), the instance is registered again.
 * {@code DeregisterCriticalServiceAfter} lets Consul drop the instance if this process dies without saying goodbye;
 * {@link #close()} and, unless turned off, JVM shutdown deregister it at once.
 *
 * <pre>{@code
 * ConsulRegistration registration = ConsulRegistration.builder(
 *         ServiceInstance.builder("orders", "10.0.0.7", 8080).id("orders-7").zone("eu-1a").build())
 *     .ttl(Duration.ofSeconds(15))
 *     .register();
 * }</pre>
 *
 * <p>Thread-safe. The heartbeat runs on one daemon thread of the registration.
 */
public final class ConsulRegistration implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ConsulRegistration.class);

    private final ServiceInstance instance;
    private final Registration registration;
    private final ExecutorService httpThreads;
    private final Consul consul;
    private final AgentClient agent;
    private final ScheduledThreadPoolExecutor heartbeat;
    @Nullable
    private final Thread shutdownHook;
    @Nullable
    private volatile ScheduledFuture<?> beats;
    private volatile boolean closed;
    private boolean failing;

    private ConsulRegistration(Builder builder) {
        this.instance = builder.instance;
        this.registration = registration(builder);
        this.httpThreads = ConsulClients.daemonThreads("mesh4j-consul-registration-http");
        this.consul = ConsulClients.create(builder.agentUrl, builder.aclToken, Duration.ofSeconds(10), httpThreads);
        this.agent = consul.agentClient();
        this.heartbeat = ConsulClients.scheduler("mesh4j-consul-heartbeat");
        this.shutdownHook = builder.deregisterOnShutdown ? new Thread(this::close, "mesh4j-consul-deregister") : null;
    }

    /** Starts a builder for registering {@code instance}. */
    public static Builder builder(ServiceInstance instance) {
        return new Builder(instance);
    }

    private static Registration registration(Builder builder) {
        ServiceInstance instance = builder.instance;
        Map<String, String> meta = new LinkedHashMap<>(instance.metadata());
        if (instance.zone() != null) {
            meta.put(builder.zoneMetadataKey, instance.zone());
        }
        if (instance.secure() && builder.tlsMetadataKey != null) {
            meta.put(builder.tlsMetadataKey, "true");
        }
        ImmutableRegCheck.Builder check = ImmutableRegCheck.builder()
                .deregisterCriticalServiceAfter(builder.deregisterCriticalServiceAfter.toSeconds() + "s");
        if (builder.httpCheckUrl != null) {
            check.http(builder.httpCheckUrl).interval(builder.httpCheckInterval.toMillis() + "ms");
        } else {
            check.ttl(builder.ttl.toMillis() + "ms");
        }
        return ImmutableRegistration.builder()
                .id(instance.id())
                .name(instance.service())
                .address(instance.host())
                .port(instance.port())
                .tags(new ArrayList<>(instance.tags()))
                .meta(meta)
                .check(check.build())
                .build();
    }

    private ConsulRegistration start(Builder builder) {
        agent.register(registration);
        logger.info("Registered {} with Consul", instance);
        if (builder.httpCheckUrl == null) {
            long period = Math.max(1, builder.ttl.toMillis() / 3);
            beats = heartbeat.scheduleAtFixedRate(this::beat, period, period, TimeUnit.MILLISECONDS);
        }
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        return this;
    }

    private void beat() {
        if (closed) {
            return;
        }
        try {
            agent.pass(instance.id());
            if (failing) {
                failing = false;
                logger.info("Heartbeat of {} reaches Consul again", instance.id());
            }
        } catch (RuntimeException | org.kiwiproject.consul.NotRegisteredException e) {
            if (!failing) {
                failing = true;
                logger.warn("Heartbeat of {} failed ({}); registering again", instance.id(),
                        e.getClass().getSimpleName());
            }
            try {
                agent.register(registration);
            } catch (RuntimeException again) {
                logger.debug("Registering {} again failed", instance.id(), again);
            }
        }
    }

    /** The instance this registration keeps in Consul. */
    public ServiceInstance instance() {
        return instance;
    }

    /** Stops the heartbeat and deregisters the instance. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ScheduledFuture<?> current = beats;
        if (current != null) {
            current.cancel(false);
        }
        heartbeat.shutdownNow();
        try {
            agent.deregister(instance.id());
            logger.info("Deregistered {} from Consul", instance.id());
        } catch (RuntimeException e) {
            logger.warn("Deregistering {} from Consul failed ({}); DeregisterCriticalServiceAfter will remove it",
                    instance.id(), e.getClass().getSimpleName());
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                logger.debug("JVM already shutting down");
            }
        }
        consul.destroy();
        httpThreads.shutdownNow();
    }

    /**
     * Builds a {@link ConsulRegistration}. Not thread-safe; {@link #register()} checks values.
     *
     * <table>
     *   <caption>Settings and defaults</caption>
     *   <tr><th>setting</th><th>default</th><th>range</th></tr>
     *   <tr><td>{@code agentUrl}</td><td>{@code http://127.0.0.1:8500}</td><td></td></tr>
     *   <tr><td>{@code ttl}</td><td>15 s, heartbeat every third of it</td><td>100 ms to 1 h</td></tr>
     *   <tr><td>{@code httpCheck}</td><td>none (TTL check)</td><td>interval 1 s to 1 h</td></tr>
     *   <tr><td>{@code deregisterCriticalServiceAfter}</td><td>1 min</td><td>1 min to 7 days</td></tr>
     *   <tr><td>{@code zoneMetadataKey}</td><td>{@code zone}</td><td></td></tr>
     *   <tr><td>{@code tlsMetadataKey}</td><td>{@code secure}: a secure instance registers {@code secure=true}, which
     *   {@code ConsulDiscovery} reads by default</td><td>a key, or none</td></tr>
     *   <tr><td>{@code deregisterOnShutdown}</td><td>true</td><td></td></tr>
     * </table>
     */
    public static final class Builder {
        private final ServiceInstance instance;
        private String agentUrl = "http://127.0.0.1:8500";
        @Nullable
        private String aclToken;
        private Duration ttl = Duration.ofSeconds(15);
        @Nullable
        private String httpCheckUrl;
        private Duration httpCheckInterval = Duration.ofSeconds(10);
        private Duration deregisterCriticalServiceAfter = Duration.ofMinutes(1);
        private String zoneMetadataKey = "zone";
        @Nullable
        private String tlsMetadataKey = "secure";
        private boolean deregisterOnShutdown = true;

        private Builder(ServiceInstance instance) {
            this.instance = requireNonNull(instance, "instance");
        }

        public Builder agentUrl(String agentUrl) {
            this.agentUrl = requireNonNull(agentUrl, "agentUrl");
            return this;
        }

        /** The ACL token (needs {@code service:write}), sent as {@code X-Consul-Token}. */
        public Builder aclToken(@Nullable String aclToken) {
            this.aclToken = aclToken;
            return this;
        }

        /** A TTL check kept passing by a heartbeat every third of {@code ttl}. */
        public Builder ttl(Duration ttl) {
            this.ttl = requireNonNull(ttl, "ttl");
            return this;
        }

        /** An HTTP check the agent runs against {@code url} every {@code interval}, instead of the TTL check. */
        public Builder httpCheck(String url, Duration interval) {
            this.httpCheckUrl = requireNonNull(url, "url");
            this.httpCheckInterval = requireNonNull(interval, "interval");
            return this;
        }

        public Builder deregisterCriticalServiceAfter(Duration deregisterCriticalServiceAfter) {
            this.deregisterCriticalServiceAfter = requireNonNull(deregisterCriticalServiceAfter,
                    "deregisterCriticalServiceAfter");
            return this;
        }

        public Builder zoneMetadataKey(String zoneMetadataKey) {
            this.zoneMetadataKey = requireNonNull(zoneMetadataKey, "zoneMetadataKey");
            return this;
        }

        /**
         * The service metadata key set to {@code true} for an instance that serves TLS
         * ({@link ServiceInstance#secure()}), as {@link ConsulDiscovery.Builder#tlsMetadataKey} reads it; {@code null}
         * for none. Default: {@code secure}.
         */
        public Builder tlsMetadataKey(@Nullable String tlsMetadataKey) {
            this.tlsMetadataKey = tlsMetadataKey;
            return this;
        }

        /** Whether a JVM shutdown hook deregisters the instance. Default: true. */
        public Builder deregisterOnShutdown(boolean deregisterOnShutdown) {
            this.deregisterOnShutdown = deregisterOnShutdown;
            return this;
        }

        /**
         * Registers the instance and starts keeping it registered.
         *
         * @throws IllegalArgumentException naming the field and its range when a value is out of range
         * @throws org.kiwiproject.consul.ConsulException when the agent refuses or cannot be reached
         */
        public ConsulRegistration register() {
            Checks.range("ttl", ttl, Duration.ofMillis(100), Duration.ofHours(1));
            Checks.range("httpCheckInterval", httpCheckInterval, Duration.ofSeconds(1), Duration.ofHours(1));
            Checks.range("deregisterCriticalServiceAfter", deregisterCriticalServiceAfter, Duration.ofMinutes(1),
                    Duration.ofDays(7));
            if (!agentUrl.startsWith("http://") && !agentUrl.startsWith("https://")) {
                throw new IllegalArgumentException("agentUrl: '" + agentUrl + "' (expected: an http or https URL)");
            }
            if (tlsMetadataKey != null && tlsMetadataKey.isBlank()) {
                throw new IllegalArgumentException("tlsMetadataKey: '" + tlsMetadataKey
                        + "' (expected: a metadata key, or null for none)");
            }
            ConsulRegistration registration = new ConsulRegistration(this);
            try {
                return registration.start(this);
            } catch (RuntimeException e) {
                registration.heartbeat.shutdownNow();
                registration.consul.destroy();
                registration.httpThreads.shutdownNow();
                throw e;
            }
        }
    }
}
