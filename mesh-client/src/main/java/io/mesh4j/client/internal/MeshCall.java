package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.Endpoint;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import kotlin.jvm.JvmClassMappingKt;
import kotlin.jvm.functions.Function0;
import kotlin.reflect.KClass;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logical call made through the mesh's call factory: an OkHttp {@link Call} whose attempts are calls of their
 * own on the attempt client (the caller's client, derived so that nothing below the mesh resends), each running
 * that client's interceptors, TLS, proxy and connection pool. A host that is no mesh service is one plain call of
 * that client.
 *
 * <p>{@link #execute()} sends one attempt after another on the calling thread, or, for a call that hedges, sends
 * its first attempt on the calling thread (unless the balancer wants it to run on after losing to a hedge) and any
 * hedge or retry asynchronously, and waits for the call's end; {@link #enqueue} never blocks and never holds a
 * dispatcher thread while waiting ({@link AsyncAttempts}). {@link #cancel()} cancels whatever attempt is running, and ends a wait between attempts at once. The caller's
 * {@link #timeout()} bounds the whole call, together with the service's overall timeout. Event listeners added
 * with {@link #addEventListener} are added to each attempt's call, so they see every request on the wire.
 *
 * <p>Thread-safe, like any OkHttp call: executed once, cancelled from any thread.
 */
public final class MeshCall implements Call {

    private static final Logger log = LoggerFactory.getLogger(MeshCall.class);

    private final MeshCallHandler handler;
    private final OkHttpClient client;
    private final Request request;
    private final AtomicBoolean executed = new AtomicBoolean();
    private final Timeout timeout = new Timeout();
    private final List<EventListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<Class<?>, Object> tags = new ConcurrentHashMap<>();
    private volatile boolean canceled;
    /** The OkHttp call of the attempt running now, when attempts run one at a time; to cancel it. */
    @Nullable
    private volatile Call current;
    @Nullable
    private volatile AsyncAttempts async;
    /**
     * Counted down by {@link #cancel()} to end a wait between attempts at once; made by the calling thread at its
     * first wait, so that calls that never wait allocate nothing for it.
     */
    @Nullable
    private volatile CountDownLatch cancelSignal;

    MeshCall(MeshCallHandler handler, OkHttpClient client, Request request) {
        this.handler = handler;
        this.client = client;
        this.request = request;
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    public Response execute() throws IOException {
        markExecuted();
        if (canceled) {
            throw new IOException("Canceled");
        }
        String host = request.url().host();
        ServiceState service = handler.registry().find(host);
        if (service == null) {
            return passThrough().execute();
        }
        ServiceRouting routing = service.routing();
        ScheduledExecutorService scheduler = routing.mayHedge() ? handler.registry().scheduler(host) : null;
        CallRun run = new CallRun(service, routing, request, handler.telemetry(), handler.ticker(),
                timeout.timeoutNanos(), scheduler != null);
        Response fallback = run.admit(handler.limits());
        if (fallback != null) {
            return fallback;
        }
        handler.mirroring().copy(run, client);
        if (!run.hedged()) {
            return run.runSequentially(ClientSender.INSTANCE, this);
        }
        Endpoint first = run.firstPick();
        Waiting end = new Waiting();
        AsyncAttempts attempts = attempts(run, scheduler, end, Runnable::run);
        attempts.runFirstHere(first);
        return end.await();
    }

    @Override
    public void enqueue(Callback callback) {
        markExecuted();
        String host = request.url().host();
        ServiceState known = handler.registry().opened(host);
        if (known != null) {
            startAsync(known, callback);
            return;
        }
        // Finding a service the client has not met yet may ask discovery's registry: not on the caller's thread.
        Executor executor = client.dispatcher().executorService();
        try {
            executor.execute(() -> {
                ServiceState service;
                try {
                    service = handler.registry().find(host);
                } catch (IOException failure) {
                    fail(callback, failure);
                    return;
                }
                if (service == null) {
                    passThroughAsync(callback);
                } else {
                    startAsync(service, callback);
                }
            });
        } catch (RejectedExecutionException shutDown) {
            fail(callback, new IOException("the dispatcher of the OkHttp client is shut down", shutDown));
        }
    }

    private void startAsync(ServiceState service, Callback callback) {
        if (canceled) {
            fail(callback, new IOException("Canceled"));
            return;
        }
        ScheduledExecutorService scheduler;
        try {
            scheduler = handler.registry().scheduler(service.name());
        } catch (IOException closed) {
            fail(callback, closed);
            return;
        }
        CallRun run = new CallRun(service, service.routing(), request, handler.telemetry(), handler.ticker(),
                timeout.timeoutNanos(), true);
        Endpoint first;
        try {
            Response fallback = run.admit(handler.limits());
            if (fallback != null) {
                answer(callback, fallback);
                return;
            }
            handler.mirroring().copy(run, client);
            first = run.firstPick();
        } catch (IOException failure) {
            fail(callback, failure);
            return;
        }
        attempts(run, scheduler, new AsyncAttempts.CallEnd() {
            @Override
            public void answered(Response response) {
                answer(callback, response);
            }

            @Override
            public void failed(IOException failure) {
                fail(callback, failure);
            }
        }, client.dispatcher().executorService()).start(first);
    }

    /**
     * The attempts of {@code run}, made known to {@link #cancel()} before the first is sent: a cancel from here on
     * reaches them, and one that came earlier is applied at once, so that none is sent.
     */
    private AsyncAttempts attempts(CallRun run, ScheduledExecutorService scheduler, AsyncAttempts.CallEnd end,
            Executor endExecutor) {
        AsyncAttempts attempts = new AsyncAttempts(run, client, scheduler, endExecutor,
                listeners, handler.ticker(), handler.idleConnections(), end);
        async = attempts;
        if (canceled) {
            attempts.cancel();
        }
        return attempts;
    }

    /**
     * The plain call of the attempt client for a host that is no mesh service: its mesh interceptor passes it on or
     * fails it, as the client is configured.
     */
    private Call passThrough() {
        Call call = client.newCall(request);
        for (EventListener listener : listeners) {
            call.addEventListener(listener);
        }
        current = call;
        if (canceled) {
            call.cancel();
        }
        return call;
    }

    private void passThroughAsync(Callback callback) {
        passThrough().enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                fail(callback, e);
            }

            @Override
            public void onResponse(Call call, Response response) throws IOException {
                callback.onResponse(MeshCall.this, response);
            }
        });
    }

    private void answer(Callback callback, Response response) {
        try {
            callback.onResponse(this, response);
        } catch (IOException | RuntimeException e) {
            response.close();
            log.warn("The callback of {} failed", this, e);
        }
    }

    private void fail(Callback callback, IOException failure) {
        callback.onFailure(this, failure);
    }

    private void markExecuted() {
        if (!executed.compareAndSet(false, true)) {
            throw new IllegalStateException("Already Executed");
        }
    }

    @Override
    public void cancel() {
        canceled = true;
        CountDownLatch waiting = cancelSignal;
        if (waiting != null) {
            waiting.countDown();
        }
        Call running = current;
        if (running != null) {
            running.cancel();
        }
        AsyncAttempts attempts = async;
        if (attempts != null) {
            attempts.cancel();
        }
    }

    @Override
    public boolean isExecuted() {
        return executed.get();
    }

    @Override
    public boolean isCanceled() {
        return canceled;
    }

    @Override
    public Timeout timeout() {
        return timeout;
    }

    @Override
    public void addEventListener(EventListener eventListener) {
        listeners.add(eventListener);
    }

    @Override
    @Nullable
    public <T> T tag(KClass<T> type) {
        return tag(JvmClassMappingKt.getJavaClass(type));
    }

    @Override
    @Nullable
    public <T> T tag(Class<? extends T> type) {
        Object tag = tags.get(type);
        @SuppressWarnings("unchecked")
        T found = (T) (tag != null ? tag : request.tag(type));
        return found;
    }

    @Override
    public <T> T tag(KClass<T> type, Function0<? extends T> computeIfAbsent) {
        return tag(JvmClassMappingKt.getJavaClass(type), computeIfAbsent);
    }

    @Override
    public <T> T tag(Class<T> type, Function0<? extends T> computeIfAbsent) {
        T existing = tag(type);
        if (existing != null) {
            return existing;
        }
        return type.cast(tags.computeIfAbsent(type, key -> computeIfAbsent.invoke()));
    }

    @Override
    public Call clone() {
        return new MeshCall(handler, client, request);
    }

    @Override
    public String toString() {
        return "MeshCall{" + request.method() + ' ' + UrlRedaction.redact(request.url()) + '}';
    }

    /**
     * Waits {@code nanos} on the calling thread before its next attempt, or until the call is cancelled. The signal
     * is published before {@link #canceled} is read, and {@link #cancel()} sets that flag before it reads the
     * signal, so a cancel either finds the signal or is seen here.
     */
    private void sleepUnlessCanceled(long nanos) throws InterruptedException {
        CountDownLatch signal = cancelSignal;
        if (signal == null) {
            signal = new CountDownLatch(1);
            cancelSignal = signal;
        }
        if (!canceled) {
            signal.await(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Sends each attempt as one call of the attempt client, on the calling thread. */
    private static final class ClientSender implements CallRun.AttemptSender<MeshCall> {
        static final ClientSender INSTANCE = new ClientSender();

        @Override
        public Attempt send(MeshCall logical, Attempt attempt, CallRun run) {
            OkHttpClient client = run.serviceState().attemptClient(logical.client);
            Call call = client.newCall(attempt.request());
            for (EventListener listener : logical.listeners) {
                call.addEventListener(listener);
            }
            BodyEndListener.watchOn(call, attempt);
            logical.current = call;
            if (logical.canceled) {
                call.cancel();
            }
            try {
                return run.ended(attempt, call.execute(), null, call);
            } catch (IOException | RuntimeException | Error e) {
                Attempt failed = run.ended(attempt, null, e, call);
                logical.handler.idleConnections().afterFailure(client.connectionPool(), failed.outcome(), e);
                return failed;
            } finally {
                logical.current = null;
            }
        }

        @Override
        public void sleep(MeshCall logical, long nanos) throws InterruptedException {
            logical.sleepUnlessCanceled(nanos);
        }

        @Override
        public boolean canceled(MeshCall logical) {
            return logical.canceled;
        }

        @Override
        public boolean tagsAttempts() {
            return true;
        }
    }

    /** Waits on the calling thread for the end of a hedged call. */
    private final class Waiting implements AsyncAttempts.CallEnd {
        private final CountDownLatch ended = new CountDownLatch(1);
        @Nullable
        private Response response;
        @Nullable
        private IOException failure;

        @Override
        public void answered(Response answer) {
            response = answer;
            ended.countDown();
        }

        @Override
        public void failed(IOException e) {
            failure = e;
            ended.countDown();
        }

        Response await() throws IOException {
            try {
                ended.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new InterruptedIOException("interrupted while waiting for the call to service");
            }
            if (failure != null) {
                throw failure;
            }
            return response;
        }
    }
}
