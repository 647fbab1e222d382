package io.mesh4j.client.internal;

import io.mesh4j.api.balancer.AttemptOutcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import okhttp3.Call;
import okhttp3.EventListener;

/**
 * The event listener the mesh adds to the OkHttp call that carries an {@link Attempt} ({@link Call#addEventListener},
 * on any client, the caller's own included): it tells the attempt how its response body ended, from OkHttp's own
 * events, so the mesh need not wrap the response body (a copy of the whole response per call). A body read to its end
 * or closed is a success ({@code responseBodyEnd}), one that breaks off is a failure ({@code responseFailed}); the end
 * of the call settles whatever is left (a cached answer, say). It also tells whether a failed attempt broke on a
 * pooled connection before any answer ({@link #brokeOnPooledConnection()}).
 *
 * <p>One per attempt, added just before the attempt is sent: attempts that follow one another on one call (through
 * the mesh interceptor) each have their own, so each hears only the events of its own attempt onwards.
 *
 * <p>Thread-safe: OkHttp reports on the thread reading the body; the attempt gives its verdict once, whichever event
 * comes first (the body's end, then the call's end, say).
 */
final class BodyEndListener extends EventListener {

    private final Attempt attempt;
    private volatile boolean connected;
    private volatile boolean answered;

    /** The listener of {@code attempt}, made with it; {@link #watchOn} adds it to the call that carries it. */
    BodyEndListener(Attempt attempt) {
        this.attempt = attempt;
    }

    /** Adds {@code attempt}'s listener to {@code call}, before the call sends it. */
    static void watchOn(Call call, Attempt attempt) {
        call.addEventListener(attempt.bodyEnds());
    }

    /**
     * Whether the attempt failed on a connection taken from the pool before any answer began: what a server that
     * closed the connection while it sat idle (its keep-alive timeout) looks like. Such a failure says nothing about
     * the instance. Only the events since this listener was added count: those of its attempt.
     */
    boolean brokeOnPooledConnection() {
        return !connected && !answered;
    }

    @Override
    public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
        connected = true;
    }

    @Override
    public void responseHeadersStart(Call call) {
        answered = true;
    }

    @Override
    public void responseBodyEnd(Call call, long byteCount) {
        settle(AttemptOutcome.SUCCESS);
    }

    @Override
    public void responseFailed(Call call, IOException failure) {
        settle(call.isCanceled() ? AttemptOutcome.CANCELLED : AttemptOutcome.NETWORK_FAILURE);
    }

    @Override
    public void callEnd(Call call) {
        settle(AttemptOutcome.SUCCESS);
    }

    @Override
    public void callFailed(Call call, IOException failure) {
        settle(call.isCanceled() ? AttemptOutcome.CANCELLED : AttemptOutcome.NETWORK_FAILURE);
    }

    private void settle(AttemptOutcome outcome) {
        attempt.bodyEnded(outcome);
    }
}
