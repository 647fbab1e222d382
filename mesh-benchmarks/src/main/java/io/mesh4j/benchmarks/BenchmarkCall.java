package io.mesh4j.benchmarks;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import kotlin.jvm.functions.Function0;
import kotlin.reflect.KClass;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.EventListener;
import okhttp3.Request;
import okhttp3.Response;
import okio.Timeout;

/**
 * The call of an {@link AnsweringChain}: one object that a benchmark reuses for every operation, as if each were a
 * new call. Its event listener is the one its client's factory made ({@link #listen}) plus the last listener added
 * ({@link #addEventListener}, one compare-and-set, as OkHttp's own call does), so listeners do not pile up over the
 * operations of a benchmark. It cannot be executed.
 */
final class BenchmarkCall implements Call {

    private static final AtomicReferenceFieldUpdater<BenchmarkCall, EventListener> LISTENER =
            AtomicReferenceFieldUpdater.newUpdater(BenchmarkCall.class, EventListener.class, "listener");

    private final Request request;
    private EventListener base = EventListener.NONE;
    private volatile EventListener listener = EventListener.NONE;

    BenchmarkCall(Request request) {
        this.request = request;
    }

    /** Starts a new call, whose listener is {@code made}, as its client's listener factory made it. */
    void listen(EventListener made) {
        base = made;
        listener = made;
    }

    /** The listener OkHttp would tell of this call's events now. */
    EventListener listener() {
        return listener;
    }

    /** Tells the listener that the response body was read to its end, as OkHttp does. */
    void bodyRead(long byteCount) {
        listener.responseBodyEnd(this, byteCount);
    }

    @Override
    public void addEventListener(EventListener added) {
        EventListener current = listener;
        LISTENER.compareAndSet(this, current, base.plus(added));
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    public Response execute() {
        throw new UnsupportedOperationException("a benchmark's call is never executed");
    }

    @Override
    public void enqueue(Callback callback) {
        throw new UnsupportedOperationException("a benchmark's call is never enqueued");
    }

    @Override
    public void cancel() {
    }

    @Override
    public boolean isExecuted() {
        return true;
    }

    @Override
    public boolean isCanceled() {
        return false;
    }

    @Override
    public Timeout timeout() {
        return Timeout.NONE;
    }

    @Override
    public <T> T tag(KClass<T> type) {
        return null;
    }

    @Override
    public <T> T tag(Class<? extends T> type) {
        return null;
    }

    @Override
    public <T> T tag(KClass<T> type, Function0<? extends T> computeIfAbsent) {
        return computeIfAbsent.invoke();
    }

    @Override
    public <T> T tag(Class<T> type, Function0<? extends T> computeIfAbsent) {
        return computeIfAbsent.invoke();
    }

    @Override
    public Call clone() {
        return new BenchmarkCall(request);
    }
}
