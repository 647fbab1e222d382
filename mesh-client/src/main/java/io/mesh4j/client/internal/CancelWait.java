package io.mesh4j.client.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.EventListener;

/**
 * Waits on the calling thread between two attempts of a call that runs through the mesh interceptor, and wakes as soon
 * as that call is cancelled. An interceptor has no hook of its own for a cancel, so the wait adds an event listener to
 * the call ({@link Call#addEventListener}) and hears OkHttp's {@code canceled} event, which {@link Call#cancel()}
 * reports after it marks the call cancelled.
 *
 * <p>The listener is added before {@link Call#isCanceled()} is read, and a cancel marks the call before it reads the
 * call's listeners (both volatile in OkHttp's {@code RealCall}), so a cancel either finds this listener or is seen
 * by the wait: it is never missed. The listener stays on the call once the wait is over; a later cancel counts down a
 * latch no one awaits.
 *
 * <p>One per wait, used by the thread that runs the call.
 */
final class CancelWait extends EventListener {

    private final CountDownLatch canceled = new CountDownLatch(1);

    private CancelWait() {
    }

    /** Waits {@code nanos}, or less when {@code call} is (or was already) cancelled. */
    static void await(Call call, long nanos) throws InterruptedException {
        CancelWait wait = new CancelWait();
        call.addEventListener(wait);
        if (!call.isCanceled()) {
            wait.canceled.await(nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void canceled(Call call) {
        canceled.countDown();
    }
}
