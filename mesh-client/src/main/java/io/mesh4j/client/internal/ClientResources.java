package io.mesh4j.client.internal;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import okhttp3.OkHttpClient;

/**
 * What background work of one client shares: the plain OkHttp client (without the mesh interceptor) and one small
 * scheduler thread, created on first use so that a client without background work starts no thread, and stopped by
 * {@link #close()}.
 *
 * <p>Thread-safe.
 */
public final class ClientResources implements AutoCloseable {

    private final OkHttpClient baseClient;
    private ScheduledThreadPoolExecutor scheduler;
    private boolean closed;

    public ClientResources(OkHttpClient baseClient) {
        this.baseClient = requireNonNull(baseClient, "baseClient");
    }

    OkHttpClient baseClient() {
        return baseClient;
    }

    synchronized ScheduledExecutorService scheduler() {
        if (closed) {
            throw new IllegalStateException("MeshClient is closed");
        }
        if (scheduler == null) {
            scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = new Thread(runnable, "mesh4j-scheduler");
                thread.setDaemon(true);
                return thread;
            });
            scheduler.setRemoveOnCancelPolicy(true);
        }
        return scheduler;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
