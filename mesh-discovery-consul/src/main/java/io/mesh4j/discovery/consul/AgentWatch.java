package io.mesh4j.discovery.consul;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.Subscription;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.Checks;
import io.mesh4j.api.internal.DaemonThreads;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a watch of Consul agent endpoints shares, whatever it hands out ({@link ConsulPolicySource}'s documents,
 * {@link ConsulConnectCertificates}' bundles): its threads and blocking-query loops, started by the first
 * subscription; subscribers, each told the latest value at once; a first subscription that waits a bounded time for
 * the first value; and the one place problems are logged, once each.
 *
 * <p>Thread-safe: values are published under this object's monitor.
 *
 * @param <T> what it hands out
 */
abstract class AgentWatch<T> {

    private static final Logger log = LoggerFactory.getLogger(AgentWatch.class);

    private final String name;
    private final BlockingQueryLoop.Settings loopSettings;
    private final Duration firstReadTimeout;
    private final List<Consumer<T>> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> firstValue = new CompletableFuture<>();
    private final List<BlockingQueryLoop> loops = new ArrayList<>(2);
    @Nullable
    private ExecutorService httpThreads;
    @Nullable
    private ScheduledThreadPoolExecutor scheduler;
    private boolean started;
    private volatile boolean closed;
    @Nullable
    private volatile T latest;
    /** What was last logged as wrong, so each problem is logged once; guarded by this object's monitor. */
    @Nullable
    private String problem;

    /** @param name what is watched, for thread names and logs, such as {@code consul-policy} */
    AgentWatch(String name, AgentWatchBuilder<?> builder) {
        this.name = name;
        this.loopSettings = builder.loopSettings();
        this.firstReadTimeout = builder.firstReadTimeout();
    }

    /** The loops of the endpoints to watch, made once, when the first subscription starts the watch. */
    abstract List<BlockingQueryLoop> loops(HttpClient http, ScheduledExecutorService scheduler,
            BlockingQueryLoop.Settings settings);

    /** What the first subscription says when no value came within the first-read timeout. */
    abstract String noFirstValue();

    /**
     * Starts delivering values to {@code values}: the latest at once, waiting up to the first-read timeout for the
     * first one, then each new one.
     */
    public Subscription subscribe(Consumer<T> values) {
        requireNonNull(values, "values");
        start();
        try {
            firstValue.get(firstReadTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.warn("{} within {}", noFirstValue(), Checks.format(firstReadTimeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            listeners.add(values);
            T now = latest;
            if (now != null) {
                deliver(values, now);
            }
        }
        return () -> listeners.remove(values);
    }

    private synchronized void start() {
        if (closed) {
            throw new IllegalStateException(name + " watch is closed");
        }
        if (started) {
            return;
        }
        started = true;
        httpThreads = ConsulClients.daemonThreads("mesh4j-" + name + "-http");
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(httpThreads)
                .build();
        scheduler = DaemonThreads.scheduler("mesh4j-" + name);
        loops.addAll(loops(http, scheduler, loopSettings));
        loops.forEach(BlockingQueryLoop::start);
    }

    /** The latest value handed out, or {@code null} before the first. */
    @Nullable
    T latest() {
        return latest;
    }

    /** Hands {@code value} to every subscriber and ends the first wait; holding the monitor keeps them in order. */
    synchronized void publish(T value) {
        if (closed) {
            return;
        }
        if (problem != null) {
            log.info("{}: the agent answers again", name);
            problem = null;
        }
        latest = value;
        for (Consumer<T> listener : listeners) {
            deliver(listener, value);
        }
        firstValue.complete(null);
    }

    /** Ends the first subscription's wait without a value: the agent answered that it has none, or failed. */
    void firstAnswered() {
        firstValue.complete(null);
    }

    /** Logs {@code what}, unless it is what was logged last. */
    synchronized void problem(String what) {
        if (!what.equals(problem)) {
            problem = what;
            log.warn("{}: {}; what is in use stays", name, what);
        }
    }

    boolean isClosed() {
        return closed;
    }

    private void deliver(Consumer<T> listener, T value) {
        try {
            listener.accept(value);
        } catch (RuntimeException e) {
            log.warn("A listener of the {} watch failed", name, e);
        }
    }

    /** Stops the queries and their threads; subscribers get nothing more. Idempotent. */
    public synchronized void close() {
        closed = true;
        listeners.clear();
        loops.forEach(BlockingQueryLoop::stop);
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (httpThreads != null) {
            httpThreads.shutdownNow();
        }
    }

    String agentUrl() {
        return loopSettings.agentUrl;
    }
}
