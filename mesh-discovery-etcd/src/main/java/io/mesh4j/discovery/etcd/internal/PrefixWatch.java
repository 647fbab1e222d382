package io.mesh4j.discovery.etcd.internal;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.mesh4j.api.ServiceDiscovery;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Subscription;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every instance under one key prefix, kept current: one range read of the prefix, then one watch of the prefix from
 * the read's revision + 1, so no change between the read and the watch is lost. A compacted revision, a cancelled
 * watch or a lost connection starts over with a fresh read, and the set read before stays in use until the new read
 * answers: never an empty set in between. A cheap count-only read every probe interval tells whether etcd answers;
 * while it does not, the last good set stays in use and its staleness grows, and after {@code maxStaleness} (if set)
 * subscribers are given empty lists, as with Consul.
 *
 * <p>Values that do not decode are skipped with a warning naming the key, never the whole set.
 *
 * <p>Thread-safe. All state changes and every notification of subscribers run on one scheduler thread, so a
 * subscriber's calls never overlap and arrive in order; readers see an immutable map published through a volatile
 * field.
 */
public final class PrefixWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PrefixWatch.class);

    /** Called after a read and before the watch from its revision starts; for tests. */
    @FunctionalInterface
    public interface BeforeWatch {
        BeforeWatch NONE = revision -> { };

        void beforeWatch(long revision);
    }

    private final Client client;
    private final InstanceCodec codec;
    private final ByteSequence prefix;
    private final ScheduledExecutorService thread;
    private final Ticker ticker;
    private final long probeNanos;
    private final long maxStalenessNanos;
    private final long backoffBaseNanos;
    private final long backoffMaxNanos;
    private final BeforeWatch beforeWatch;
    private final Map<String, List<ServiceDiscovery.Listener>> listeners = new ConcurrentHashMap<>();
    private final CountDownLatch firstRead = new CountDownLatch(1);

    // Confined to the scheduler thread.
    private final Map<String, ServiceInstance> byKey = new HashMap<>();
    private long revision;
    @Nullable
    private Watch.Watcher watcher;
    private int generation;
    private int failuresInRow;
    private boolean syncing;

    private volatile Map<String, List<ServiceInstance>> services = Map.of();
    private volatile boolean healthy = true;
    private volatile boolean everRead;
    private volatile long lastContactNanos;
    @Nullable
    private volatile Throwable lastFailure;
    private volatile boolean closed;

    public PrefixWatch(Client client, InstanceCodec codec, ScheduledExecutorService thread, Ticker ticker,
            Duration probeInterval, Duration maxStaleness, Duration backoffBase, Duration backoffMax,
            BeforeWatch beforeWatch) {
        this.client = client;
        this.codec = codec;
        this.prefix = EtcdClients.bytes(codec.prefix());
        this.thread = thread;
        this.ticker = ticker;
        this.probeNanos = probeInterval.toNanos();
        this.maxStalenessNanos = maxStaleness.toNanos();
        this.backoffBaseNanos = backoffBase.toNanos();
        this.backoffMaxNanos = backoffMax.toNanos();
        this.beforeWatch = beforeWatch;
    }

    /** Starts the first read and the probe. */
    public void start() {
        run(this::sync);
        thread.scheduleWithFixedDelay(this::probe, probeNanos, probeNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The instances of {@code service}, or {@code null} when no key of the prefix names it. Waits up to
     * {@code firstReadTimeout} for the first read.
     */
    @Nullable
    public List<ServiceInstance> instances(String service, Duration firstReadTimeout) {
        if (!everRead) {
            try {
                firstRead.await(firstReadTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return services.get(service);
    }

    /** Subscribes; the listener gets the current set soon if the service is known, then every change. */
    public Subscription subscribe(String service, ServiceDiscovery.Listener listener) {
        listeners.computeIfAbsent(service, name -> new CopyOnWriteArrayList<>()).add(listener);
        run(() -> {
            List<ServiceInstance> current = services.get(service);
            if (current != null) {
                notifyOne(listener, service, current);
            }
        });
        return () -> {
            List<ServiceDiscovery.Listener> forService = listeners.get(service);
            if (forService != null) {
                forService.remove(listener);
            }
        };
    }

    /** How old the set is: zero while etcd answers, the time since it last did while it does not. */
    @Nullable
    public Duration staleness() {
        if (!everRead) {
            return null;
        }
        return healthy ? Duration.ZERO : Duration.ofNanos(Math.max(0, ticker.read() - lastContactNanos));
    }

    /** Why etcd has not answered, while it has never answered; else {@code null}. */
    @Nullable
    public Throwable failureBeforeFirstRead() {
        return everRead ? null : lastFailure;
    }

    private void sync() {
        if (closed || syncing) {
            return;
        }
        syncing = true;
        client.getKVClient().get(prefix, GetOption.builder().isPrefix(true).build())
                .whenCompleteAsync(this::onRead, thread);
    }

    private void onRead(@Nullable GetResponse response, @Nullable Throwable failure) {
        syncing = false;
        if (closed) {
            return;
        }
        if (failure != null) {
            failed(failure);
            retryLater();
            return;
        }
        contact();
        byKey.clear();
        for (KeyValue entry : response.getKvs()) {
            apply(entry, true);
        }
        revision = response.getHeader().getRevision();
        failuresInRow = 0;
        publish();
        everRead = true;
        firstRead.countDown();
        beforeWatch.beforeWatch(revision);
        watchFrom(revision + 1);
    }

    private void watchFrom(long fromRevision) {
        if (watcher != null) {
            watcher.close();
        }
        int watchGeneration = ++generation;
        watcher = client.getWatchClient().watch(prefix,
                WatchOption.builder().isPrefix(true).withRevision(fromRevision).build(),
                new Watch.Listener() {
                    @Override
                    public void onNext(WatchResponse response) {
                        run(() -> onEvents(watchGeneration, response));
                    }

                    @Override
                    public void onError(Throwable failure) {
                        run(() -> onWatchEnded(watchGeneration, failure));
                    }

                    @Override
                    public void onCompleted() {
                        run(() -> onWatchEnded(watchGeneration, null));
                    }
                });
    }

    private void onEvents(int watchGeneration, WatchResponse response) {
        if (watchGeneration != generation || closed) {
            return;
        }
        contact();
        for (WatchEvent event : response.getEvents()) {
            KeyValue entry = event.getKeyValue();
            revision = Math.max(revision, entry.getModRevision());
            if (event.getEventType() == WatchEvent.EventType.PUT) {
                apply(entry, false);
            } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
                byKey.remove(entry.getKey().toString(StandardCharsets.UTF_8));
            }
        }
        publish();
    }

    private void onWatchEnded(int watchGeneration, @Nullable Throwable failure) {
        if (watchGeneration != generation || closed) {
            return;
        }
        generation++;
        if (failure instanceof CompactedException) {
            log.info("etcd compacted past the watch of '{}' (revision {}): reading the prefix again; the instances"
                    + " read before stay in use meanwhile", codec.prefix(), revision);
            sync();
        } else {
            log.warn("The watch of '{}' in etcd ended ({}): reading the prefix again", codec.prefix(),
                    failure == null ? "completed" : describe(failure));
            retryLater();
        }
    }

    /** Decodes {@code entry} into the set, or drops its key with a warning naming it when it does not decode. */
    private void apply(KeyValue entry, boolean fromRead) {
        String key = entry.getKey().toString(StandardCharsets.UTF_8);
        try {
            byKey.put(key, codec.decode(key, entry.getValue().toString(StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException malformed) {
            byKey.remove(key);
            log.warn("Skipping etcd key '{}' {}: {}", key, fromRead ? "read" : "changed", malformed.getMessage());
        }
    }

    private void probe() {
        if (closed) {
            return;
        }
        client.getKVClient().get(prefix, GetOption.builder().isPrefix(true).withCountOnly(true).build())
                .orTimeout(Math.max(1, probeNanos), TimeUnit.NANOSECONDS)
                .whenCompleteAsync((response, failure) -> {
                    if (closed) {
                        return;
                    }
                    if (failure != null) {
                        failed(failure);
                        hideIfTooStale();
                        return;
                    }
                    boolean wasHealthy = healthy;
                    contact();
                    if (!everRead || !wasHealthy) {
                        sync();
                    }
                }, thread);
    }

    /** etcd answered: the set is current again. A probe that sees etcd back reads the prefix again. */
    private void contact() {
        lastContactNanos = ticker.read();
        if (!healthy) {
            healthy = true;
            log.info("etcd answers again for '{}'", codec.prefix());
        }
    }

    private void failed(Throwable failure) {
        lastFailure = failure;
        failuresInRow++;
        if (healthy && everRead) {
            log.warn("etcd does not answer for '{}' ({}): the last instances read stay in use", codec.prefix(),
                    describe(failure));
        }
        if (everRead) {
            healthy = false;
        }
    }

    /** After {@code maxStaleness} without etcd, gives subscribers empty lists; the next good read restores them. */
    private void hideIfTooStale() {
        if (maxStalenessNanos == 0 || healthy || !everRead
                || ticker.read() - lastContactNanos < maxStalenessNanos || services.isEmpty()) {
            return;
        }
        log.warn("etcd has not answered for '{}' in more than {} ms: no instance is served until it does",
                codec.prefix(), TimeUnit.NANOSECONDS.toMillis(maxStalenessNanos));
        Map<String, List<ServiceInstance>> hidden = services;
        services = Map.of();
        hidden.forEach((service, instances) -> notifyAll(service, List.of()));
    }

    private void retryLater() {
        long ceiling = Math.min(backoffMaxNanos, backoffBaseNanos << Math.min(20, Math.max(0, failuresInRow - 1)));
        long delay = ThreadLocalRandom.current().nextLong(Math.max(1, ceiling / 2), Math.max(2, ceiling + 1));
        try {
            thread.schedule(this::sync, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closedMeanwhile) {
            // Closed: nothing to retry for.
        }
    }

    /** Publishes the set grouped by service and tells the subscribers of each service whose list changed. */
    private void publish() {
        Map<String, List<ServiceInstance>> grouped = new TreeMap<>();
        for (ServiceInstance instance : byKey.values()) {
            grouped.computeIfAbsent(instance.service(), name -> new ArrayList<>()).add(instance);
        }
        Map<String, List<ServiceInstance>> next = new HashMap<>();
        grouped.forEach((service, instances) -> {
            instances.sort(Comparator.comparing(ServiceInstance::id));
            next.put(service, List.copyOf(instances));
        });
        Map<String, List<ServiceInstance>> previous = services;
        services = Map.copyOf(next);
        next.forEach((service, instances) -> {
            if (!instances.equals(previous.get(service))) {
                notifyAll(service, instances);
            }
        });
        previous.forEach((service, instances) -> {
            if (!next.containsKey(service)) {
                notifyAll(service, List.of());
            }
        });
    }

    private void notifyAll(String service, List<ServiceInstance> instances) {
        List<ServiceDiscovery.Listener> forService = listeners.get(service);
        if (forService != null) {
            forService.forEach(listener -> notifyOne(listener, service, instances));
        }
    }

    private static void notifyOne(ServiceDiscovery.Listener listener, String service,
            List<ServiceInstance> instances) {
        try {
            listener.onInstances(service, instances);
        } catch (RuntimeException e) {
            log.warn("A discovery listener for service '{}' failed", service, e);
        }
    }

    private void run(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("etcd discovery of '{}' failed", codec.prefix(), e);
                }
            });
        } catch (RejectedExecutionException closedMeanwhile) {
            // Closed: events after close are dropped.
        }
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure.getCause() != null && failure.getMessage() == null ? failure.getCause() : failure;
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    /** Stops the watch; the scheduler and client belong to the caller. */
    @Override
    public void close() {
        closed = true;
        run(() -> {
            if (watcher != null) {
                watcher.close();
            }
        });
    }
}
