package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import okhttp3.Call;
import okhttp3.EventListener;

/**
 * The event listener of one call on a client the mesh builds: it tells the {@link Attempt} whose response is being
 * read how its body ended, from OkHttp's own events, so the mesh need not wrap the response body (a copy of the
 * whole response per call). A body read to its end or closed is a success ({@code responseBodyEnd}), one that breaks
 * off is a failure ({@code responseFailed}); the end of the call settles whatever is left (a cached answer, say).
 * It also tells whether a failed call broke on a pooled connection before any answer
 * ({@link #brokeOnPooledConnection()}).
 *
 * <p>Where the caller's client has an event listener of its own, the two are combined and the mesh falls back to
 * wrapping bodies, as it does on clients it did not build.
 *
 * <p>Thread-safe: the mesh hands over the attempt on the call's thread; OkHttp reports on the thread reading the
 * body. An attempt's verdict is given once, whoever comes first.
 */
final class BodyEndListener extends EventListener {

    @Nullable
    private volatile Attempt reading;
    private volatile boolean connected;
    private volatile boolean answered;

    /** The factory for a client derived from one whose listeners {@code base} makes. */
    static EventListener.Factory factory(EventListener.Factory base) {
        if (base instanceof Factory) {
            return base;
        }
        return new Factory(base);
    }

    /** Gives {@code attempt} its verdict when the body of the response it hands on ends. */
    void watch(Attempt attempt) {
        reading = attempt;
    }

    /**
     * Whether the call failed on a connection it took from the pool before any answer began: what a server that
     * closed the connection while it sat idle (its keep-alive timeout) looks like. Such a failure says nothing about
     * the instance. Conservative where one call carried several attempts: any new connection or any answer in the
     * call makes it false.
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
        Attempt attempt = reading;
        if (attempt != null) {
            reading = null;
            attempt.bodyEnded(outcome);
        }
    }

    /** Makes one listener per call, combined with the base client's own when it has one. */
    private static final class Factory implements EventListener.Factory {
        private final EventListener.Factory base;

        Factory(EventListener.Factory base) {
            this.base = base;
        }

        @Override
        public EventListener create(Call call) {
            EventListener own = base.create(call);
            BodyEndListener mesh = new BodyEndListener();
            return own == EventListener.NONE ? mesh : mesh.plus(own);
        }
    }
}
