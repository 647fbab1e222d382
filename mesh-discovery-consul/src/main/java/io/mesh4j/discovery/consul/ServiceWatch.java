package io.mesh4j.discovery.consul;

import io.mesh4j.api.ServiceDiscovery.Listener;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Subscription;
import io.mesh4j.api.annotation.Nullable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.kiwiproject.consul.CatalogClient;
import org.kiwiproject.consul.model.ConsulResponse;
import org.kiwiproject.consul.model.catalog.CatalogService;
import org.kiwiproject.consul.model.catalog.ServiceWeights;
import org.kiwiproject.consul.model.health.Node;
import org.kiwiproject.consul.model.health.Service;
import org.kiwiproject.consul.model.health.ServiceHealth;
import org.kiwiproject.consul.option.ImmutableQueryOptions;
import org.kiwiproject.consul.option.QueryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocking-query loop of one service (see {@link ConsulDiscovery} for the rules it follows), with its last good
 * instances and subscribers.
 *
 * <p>Thread-safe. At most one query is in flight; its completion, on the HTTP client's executor or the
 * discovery's scheduler, is the only writer of the loop state. Notifications and a new subscriber's first delivery are
 * serialized by this object's monitor.
 */
final class ServiceWatch {

    private static final Logger logger = LoggerFactory.getLogger(ServiceWatch.class);
    private static final double BURST = 2.0;

    private final String service;
    private final HealthQueries health;
    private final CatalogClient catalog;
    private final ScheduledExecutorService scheduler;
    private final ConsulDiscovery.Settings settings;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Done when the first query ended, answered or not: what {@link #latest} waits for. */
    private final CompletableFuture<Void> firstAnswer = new CompletableFuture<>();

    @Nullable
    private volatile List<ServiceInstance> current;
    private volatile long lastGoodNanos;
    private volatile long lastTouchNanos;
    private volatile boolean unknown;
    /** The failure of the last query while Consul has never answered; {@code null} once it has. */
    @Nullable
    private volatile Throwable failureBeforeAnswer;
    private volatile boolean stopped;

    private long index;
    private boolean answered;
    private int consecutiveErrors;
    private boolean outage;
    private boolean stalePublished;
    private double tokens = BURST;
    private long tokensAt;

    ServiceWatch(String service, HealthQueries health, CatalogClient catalog, ScheduledExecutorService scheduler,
            ConsulDiscovery.Settings settings) {
        this.service = service;
        this.health = health;
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.settings = settings;
        this.lastTouchNanos = settings.ticker.read();
        this.tokensAt = lastTouchNanos;
    }

    void start() {
        poll();
    }

    void touch() {
        lastTouchNanos = settings.ticker.read();
    }

    boolean isIdle() {
        return listeners.isEmpty() && settings.ticker.read() - lastTouchNanos > settings.idleTimeout.toNanos();
    }

    boolean isUnknown() {
        return unknown;
    }

    /** Why the service's existence is not known yet: the last query's failure while Consul never answered. */
    @Nullable
    Throwable failureBeforeAnswer() {
        return failureBeforeAnswer;
    }

    /**
     * The latest instances, what subscribers were last told (empty once they are older than the maximum staleness),
     * after waiting up to {@code timeout} for the first query to end; {@code null} while Consul has not answered yet
     * (it failed, or was too slow) or does not know the service.
     */
    @Nullable
    List<ServiceInstance> latest(Duration timeout) {
        try {
            firstAnswer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return current;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return current;
    }

    @Nullable
    Duration staleness() {
        return answered ? Duration.ofNanos(settings.ticker.read() - lastGoodNanos) : null;
    }

    synchronized Subscription subscribe(Listener listener) {
        listeners.add(listener);
        List<ServiceInstance> now = current;
        if (now != null) {
            notify(listener, now);
        }
        return () -> listeners.remove(listener);
    }

    void stop() {
        stopped = true;
    }

    private void poll() {
        if (stopped) {
            return;
        }
        try {
            health.query(service, answered ? index : null, settings.datacenter, settings.filter)
                    .whenComplete((answer, failure) -> {
                        if (failure != null) {
                            onError(failure instanceof java.util.concurrent.CompletionException
                                    && failure.getCause() != null ? failure.getCause() : failure);
                        } else {
                            onAnswer(answer);
                        }
                    });
        } catch (RuntimeException e) {
            onError(e);
        }
    }

    private void onAnswer(HealthQueries.Answer answer) {
        if (stopped) {
            return;
        }
        List<ServiceInstance> instances;
        try {
            instances = map(answer.entries);
        } catch (RuntimeException e) {
            onError(e);
            return;
        }
        failureBeforeAnswer = null;
        long returned = answer.index == null ? 0 : answer.index;
        index = returned < index ? 0 : Math.max(1, returned);
        lastGoodNanos = settings.ticker.read();
        consecutiveErrors = 0;
        stalePublished = false;
        if (outage) {
            outage = false;
            logger.info("Consul answers again for service '{}'", service);
        }
        if (!answered) {
            answered = true;
            if (instances.isEmpty() && !inCatalog()) {
                unknown = true;
                firstAnswer.complete(null);
                return;
            }
            publish(instances);
            firstAnswer.complete(null);
        } else if (!instances.equals(current)) {
            publish(instances);
        }
        next();
    }

    private boolean inCatalog() {
        try {
            ConsulResponse<List<CatalogService>> listed = catalog.getService(service,
                    settings.datacenter == null ? QueryOptions.BLANK
                            : ImmutableQueryOptions.builder().datacenter(settings.datacenter).build());
            return !listed.getResponse().isEmpty();
        } catch (RuntimeException e) {
            return true;
        }
    }

    private void onError(Throwable failure) {
        if (stopped) {
            return;
        }
        consecutiveErrors++;
        if (!answered) {
            failureBeforeAnswer = failure;
        }
        if (!outage) {
            outage = true;
            List<ServiceInstance> kept = current;
            logger.warn("Consul query for service '{}' failed ({}); keeping the last {} instances until it answers",
                    service, failure.getClass().getSimpleName(), kept == null ? 0 : kept.size());
        }
        if (!firstAnswer.isDone()) {
            firstAnswer.complete(null);
        }
        List<ServiceInstance> kept = current;
        if (!settings.maxStaleness.isZero() && kept != null && !kept.isEmpty() && !stalePublished
                && settings.ticker.read() - lastGoodNanos > settings.maxStaleness.toNanos()) {
            stalePublished = true;
            logger.warn("Instances of service '{}' are older than {}: no longer used until Consul answers",
                    service, settings.maxStaleness);
            publish(List.of());
        }
        schedule(ErrorBackoff.delayNanos(settings.errorBackoffBase, settings.errorBackoffMax, consecutiveErrors));
    }

    /** Takes a token for the next query, now or when one is due. */
    private void next() {
        long interval = settings.minRequestInterval.toNanos();
        if (interval == 0) {
            poll();
            return;
        }
        long now = settings.ticker.read();
        tokens = Math.min(BURST, tokens + (double) (now - tokensAt) / interval);
        tokensAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            poll();
        } else {
            long wait = (long) ((1 - tokens) * interval);
            tokens = 0;
            tokensAt = now + wait;
            schedule(wait);
        }
    }

    private void schedule(long delayNanos) {
        if (stopped) {
            return;
        }
        try {
            scheduler.schedule(this::poll, delayNanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            stopped = true;
        }
    }

    private synchronized void publish(List<ServiceInstance> instances) {
        current = instances;
        for (Listener listener : listeners) {
            notify(listener, instances);
        }
    }

    private void notify(Listener listener, List<ServiceInstance> instances) {
        try {
            listener.onInstances(service, instances);
        } catch (RuntimeException e) {
            logger.warn("Discovery listener {} failed for service '{}'", listener, service, e);
        }
    }

    /** Whether Consul marks the instance as serving TLS, by the configured metadata key or tag. */
    private boolean secure(List<String> tags, Map<String, String> meta) {
        return (settings.tlsMetadataKey != null && "true".equalsIgnoreCase(meta.get(settings.tlsMetadataKey)))
                || (settings.tlsTag != null && tags.contains(settings.tlsTag));
    }

    private List<ServiceInstance> map(List<ServiceHealth> entries) {
        List<ServiceInstance> instances = new ArrayList<>(entries.size());
        for (ServiceHealth entry : entries) {
            Service found = entry.getService();
            Node node = entry.getNode();
            String address = found.getAddress() == null || found.getAddress().isEmpty()
                    ? node.getAddress() : found.getAddress();
            int weight = found.getWeights().map(ServiceWeights::getPassing).orElse(1);
            Map<String, String> meta = found.getMeta() == null ? Map.of() : found.getMeta();
            String zone = meta.get(settings.zoneMetadataKey);
            if (zone == null) {
                zone = node.getNodeMeta().map(m -> m.get(settings.zoneMetadataKey)).orElse(null);
            }
            List<String> tags = found.getTags() == null ? List.of() : found.getTags();
            try {
                instances.add(ServiceInstance.builder(service, address, found.getPort())
                        .id(node.getNode() + '/' + found.getId())
                        .weight(Math.max(1, Math.min(ServiceInstance.MAX_WEIGHT, weight)))
                        .zone(zone)
                        .tags(tags)
                        .metadata(meta)
                        .secure(secure(tags, meta))
                        .build());
            } catch (IllegalArgumentException e) {
                logger.debug("Skipping an instance of service '{}' that Consul lists with invalid values: {}",
                        service, e.getMessage());
            }
        }
        return List.copyOf(instances);
    }
}
