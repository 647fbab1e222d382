package io.mesh4j.client.internal;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.Ticker;
import io.mesh4j.api.balancer.AttemptOutcome;
import java.net.ConnectException;
import java.util.Map;
import java.util.WeakHashMap;
import okhttp3.ConnectionPool;

/**
 * Closes the idle connections of a connection pool after an attempt through it failed before any answer (refused,
 * or broken before the response), at most once a second per pool. Such a failure says the instance went away or
 * restarted, and the connections the pool keeps to it are dead: OkHttp would hand them out one by one, and since the
 * mesh keeps OkHttp from trying again on a new connection (the request might then be sent twice), each would fail one
 * more attempt. A restarted instance then kept losing attempts, and its failure penalty, for as long as the pool held
 * connections from before its restart (up to 10 s in {@code SoakTest}, where its own backends die and restart on their
 * port). OkHttp's pool can only close the idle connections of every address at once: those to the other instances are
 * made again on their next call. Connections in use are not touched.
 *
 * <p>Thread-safe.
 */
final class IdleConnectionFlush {

    private static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

    private final Ticker ticker;
    /** When each pool was last flushed; guarded by this. Weak, so pools of callers' clients can go. */
    private final Map<ConnectionPool, Long> lastFlush = new WeakHashMap<>();

    IdleConnectionFlush(Ticker ticker) {
        this.ticker = requireNonNull(ticker, "ticker");
    }

    /**
     * Flushes {@code pool} if the attempt that used it failed with {@code failure}, classified as {@code outcome},
     * because its instance refused the connection or the connection broke before the answer. A failed TLS handshake
     * or identity check, also a connect failure, says nothing of the pool's other connections.
     */
    void afterFailure(ConnectionPool pool, AttemptOutcome outcome, Throwable failure) {
        boolean refused = outcome == AttemptOutcome.CONNECT_FAILURE && failure instanceof ConnectException;
        if (!refused && outcome != AttemptOutcome.NETWORK_FAILURE) {
            return;
        }
        long now = ticker.read();
        synchronized (this) {
            Long last = lastFlush.get(pool);
            if (last != null && now - last < MIN_INTERVAL_NANOS) {
                return;
            }
            lastFlush.put(pool, now);
        }
        pool.evictAll();
    }
}
