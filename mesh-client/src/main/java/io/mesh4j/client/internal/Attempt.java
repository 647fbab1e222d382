package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One try of a call to one instance, from the moment it is sent to its {@link #end}: the one place that tells
 * everyone who learns from attempts how it went. At the end of the attempt (headers or failure) telemetry records
 * it and a good answer's latency feeds the service's hedging histogram. The instance's verdict (balancer feedback,
 * outlier ejection, per-instance breaker) is given at once for a failure or a server error, and for any other
 * answer when its body ends: read to the end or closed is a success, a body that breaks off (truncated, reset) is
 * a failure of the instance, so an instance that sends good headers and broken bodies is ejected like any other.
 * Every listener is called in a try/catch, so a failing listener never breaks a request.
 *
 * <p>Threading: created and ended by the thread running the call. The verdict of a watched body is given by
 * whichever thread reads or closes the response, exactly once.
 */
final class Attempt {

    private static final Logger log = LoggerFactory.getLogger(Attempt.class);

    private final ServiceState service;
    private final Endpoint endpoint;
    private final AttemptScope scope;
    private final Ticker ticker;
    private final long startNanos;
    private boolean ended;

    /** Starts an attempt to {@code endpoint} at {@code startNanos}, a reading of {@code ticker}. */
    Attempt(ServiceState service, Endpoint endpoint, AttemptScope scope, Ticker ticker, long startNanos) {
        this.service = service;
        this.endpoint = endpoint;
        this.scope = scope;
        this.ticker = ticker;
        this.startNanos = startNanos;
        try {
            endpoint.onAttemptStart();
        } catch (RuntimeException e) {
            log.warn("Balancer feedback failed for service '{}'", service.name(), e);
        }
    }

    Endpoint endpoint() {
        return endpoint;
    }

    ServiceInstance instance() {
        return endpoint.instance();
    }

    long startNanos() {
        return startNanos;
    }

    /**
     * Ends the attempt at {@code endNanos} with its response or failure (neither when it was abandoned or
     * cancelled) and returns the response to hand on: the same, or one whose body reports the instance's verdict
     * when it ends. Only the first call counts.
     *
     * @param call the OkHttp call that carried the attempt, asked whether a broken body was the caller's cancel
     */
    @Nullable
    Response end(@Nullable Response response, @Nullable Throwable failure, AttemptOutcome outcome, long endNanos,
            Call call) {
        if (ended) {
            return response;
        }
        ended = true;
        long latencyNanos = endNanos - startNanos;
        if (outcome == AttemptOutcome.SUCCESS) {
            service.hedgingPolicy().recordAnswer(latencyNanos, endNanos);
        }
        try {
            scope.end(response, failure, outcome);
        } catch (RuntimeException e) {
            log.warn("Telemetry failed for an attempt to service '{}'", service.name(), e);
        }
        if (response != null && outcome == AttemptOutcome.SUCCESS && mayHaveBody(response)) {
            return response.newBuilder().body(new WatchedBody(response.body(), latencyNanos, call)).build();
        }
        verdict(endNanos, latencyNanos, outcome);
        return response;
    }

    /** Whether the response can carry body bytes that may yet break off. */
    private static boolean mayHaveBody(Response response) {
        int code = response.code();
        return !"HEAD".equals(response.request().method()) && code != 204 && code != 304 && code >= 200
                && response.body().contentLength() != 0;
    }

    private void verdict(long endNanos, long latencyNanos, AttemptOutcome outcome) {
        try {
            endpoint.onAttemptEnd(endNanos, latencyNanos, outcome);
        } catch (RuntimeException e) {
            log.warn("Balancer feedback failed for service '{}'", service.name(), e);
        }
        service.instanceOutcome(endpoint.instance(), outcome, latencyNanos);
    }

    /**
     * A response body that gives the attempt's verdict when it ends: success when read to the end or closed, a
     * network failure when reading it fails (unless the call was cancelled, which says nothing of the instance). Its
     * watching source is made only when the body is read, so a response that is only closed costs this object alone.
     * Like any OkHttp body, it is read by one thread at a time; the verdict is given once even so.
     */
    private final class WatchedBody extends ResponseBody {
        private final ResponseBody delegate;
        private final long latencyNanos;
        private final Call call;
        volatile int judged;
        @Nullable
        private BufferedSource source;

        WatchedBody(ResponseBody delegate, long latencyNanos, Call call) {
            this.delegate = delegate;
            this.latencyNanos = latencyNanos;
            this.call = call;
        }

        private void judge(AttemptOutcome outcome) {
            if (JUDGED.compareAndSet(this, 0, 1)) {
                verdict(ticker.read(), latencyNanos, outcome);
            }
        }

        @Override
        @Nullable
        public MediaType contentType() {
            return delegate.contentType();
        }

        @Override
        public long contentLength() {
            return delegate.contentLength();
        }

        @Override
        public BufferedSource source() {
            BufferedSource watched = source;
            if (watched == null) {
                watched = Okio.buffer(new ForwardingSource(delegate.source()) {
                    @Override
                    public long read(Buffer sink, long byteCount) throws IOException {
                        long read;
                        try {
                            read = super.read(sink, byteCount);
                        } catch (IOException e) {
                            judge(call.isCanceled() ? AttemptOutcome.CANCELLED : AttemptOutcome.NETWORK_FAILURE);
                            throw e;
                        }
                        if (read == -1) {
                            judge(AttemptOutcome.SUCCESS);
                        }
                        return read;
                    }

                    @Override
                    public void close() throws IOException {
                        judge(AttemptOutcome.SUCCESS);
                        super.close();
                    }
                });
                source = watched;
            }
            return watched;
        }

        @Override
        public void close() {
            judge(AttemptOutcome.SUCCESS);
            BufferedSource watched = source;
            if (watched != null) {
                try {
                    watched.close();
                } catch (IOException ignored) {
                    // Closing releases the connection; there is nobody to tell of a failure to close.
                }
            } else {
                delegate.close();
            }
        }
    }

    private static final AtomicIntegerFieldUpdater<WatchedBody> JUDGED =
            AtomicIntegerFieldUpdater.newUpdater(WatchedBody.class, "judged");
}
