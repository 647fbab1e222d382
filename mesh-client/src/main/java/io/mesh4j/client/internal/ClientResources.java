package io.mesh4j.client.internal;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.Ticker;
import io.mesh4j.api.internal.DaemonThreads;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import okhttp3.OkHttpClient;

/**
 * What the parts of one client share: its one {@link Ticker}, the plain OkHttp client (without the mesh
 * interceptor), and one small scheduler thread for health checks, breakers' probes and the timers of asynchronous
 * and hedged calls, created on first use so that a client without such work starts no thread, and stopped by
 * {@link #close()}.
 *
 * <p>Thread-safe.
 */
public final class ClientResources implements AutoCloseable {

    private final OkHttpClient baseClient;
    private final Ticker ticker;
    private ScheduledThreadPoolExecutor scheduler;
    private boolean closed;

    public ClientResources(OkHttpClient baseClient, Ticker ticker) {
        this.baseClient = requireNonNull(baseClient, "baseClient");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    /** The client's one clock: every reading in a call, its balancers and its budgets comes from it. */
    Ticker ticker() {
        return ticker;
    }

    OkHttpClient baseClient() {
        return baseClient;
    }

    /**
     * A builder for a client derived from {@code base} on which OkHttp never sends a request again on its own: no
     * retry after a connection failure and no resend of a 408 ({@code retryOnConnectionFailure(false)}), and the
     * {@link ResendGuard} against its resend of a 503 with {@code Retry-After: 0}. Every client the mesh builds or
     * derives comes from here.
     */
    public static OkHttpClient.Builder derive(OkHttpClient base) {
        OkHttpClient.Builder builder = base.newBuilder();
        builder.retryOnConnectionFailure(false);
        if (!builder.networkInterceptors().contains(ResendGuard.INSTANCE)) {
            builder.addNetworkInterceptor(ResendGuard.INSTANCE);
        }
        return builder;
    }

    synchronized ScheduledExecutorService scheduler() {
        if (closed) {
            throw new IllegalStateException("MeshClient is closed");
        }
        if (scheduler == null) {
            scheduler = DaemonThreads.scheduler("mesh4j-scheduler");
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
