package io.mesh4j.client.internal;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * What the parts of one client share: its one {@link Ticker}, the plain OkHttp client (without the mesh
 * interceptor), one small scheduler thread, and the client that sends hedged calls' attempts, each created on first
 * use so that a client without background work or hedging starts no thread, and stopped by {@link #close()}.
 *
 * <p>Thread-safe.
 */
public final class ClientResources implements AutoCloseable {

    private final OkHttpClient baseClient;
    private final Ticker ticker;
    private ScheduledThreadPoolExecutor scheduler;
    @Nullable
    private volatile OkHttpClient hedgeClient;
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
     * {@link ResendGuard} against its resend of a 503 with {@code Retry-After: 0}. Its calls also report the end of
     * response bodies to the mesh ({@link BodyEndListener}). Every client the mesh builds or derives comes from here.
     */
    public static OkHttpClient.Builder derive(OkHttpClient base) {
        OkHttpClient.Builder builder = base.newBuilder()
                .eventListenerFactory(BodyEndListener.factory(base.eventListenerFactory()));
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
            scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = new Thread(runnable, "mesh4j-scheduler");
                thread.setDaemon(true);
                return thread;
            });
            scheduler.setRemoveOnCancelPolicy(true);
        }
        return scheduler;
    }

    /**
     * The base client's configuration and connection pool with its own dispatcher and without application
     * interceptors (they ran once for the logical call, before the mesh): a hedged call's attempts run on it while
     * the calling thread, possibly one of the base dispatcher's, waits for the first good answer. Sharing the base
     * dispatcher could deadlock once its limits are filled by waiting calls.
     */
    OkHttpClient hedgeClient() {
        OkHttpClient client = hedgeClient;
        return client != null ? client : newHedgeClient();
    }

    private synchronized OkHttpClient newHedgeClient() {
        if (closed) {
            throw new IllegalStateException("MeshClient is closed");
        }
        if (hedgeClient == null) {
            ThreadPoolExecutor executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), runnable -> {
                        Thread thread = new Thread(runnable, "mesh4j-hedge");
                        thread.setDaemon(true);
                        return thread;
                    });
            Dispatcher dispatcher = new Dispatcher(executor);
            dispatcher.setMaxRequests(Integer.MAX_VALUE);
            dispatcher.setMaxRequestsPerHost(Integer.MAX_VALUE);
            // A hedged attempt's body is watched by the attempt itself (its Call gives no access to its listener),
            // so this client keeps the base client's listeners instead of making a BodyEndListener per attempt.
            OkHttpClient.Builder builder = derive(baseClient).dispatcher(dispatcher)
                    .eventListenerFactory(baseClient.eventListenerFactory());
            builder.interceptors().clear();
            hedgeClient = builder.build();
        }
        return hedgeClient;
    }

    @Override
    public synchronized void close() {
        closed = true;
        OkHttpClient client = hedgeClient;
        if (client != null) {
            client.dispatcher().executorService().shutdown();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
