package io.mesh4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class CancelWaitTest {

    private static final long TEN_SECONDS = Duration.ofSeconds(10).toNanos();

    private final Call call = new OkHttpClient().newCall(new Request.Builder().url("http://orders/a").build());

    @Test
    void shouldReturnAtOnceWhenCallWasCancelledBeforeWait() throws Exception {
        call.cancel();

        CompletableFuture<Void> waited = CompletableFuture.runAsync(this::waitTenSeconds);

        waited.get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldWakeWhenCallIsCancelledDuringWait() throws Exception {
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<Void> waited = CompletableFuture.runAsync(() -> {
            waiter.set(Thread.currentThread());
            waitTenSeconds();
        });
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> waitsInCancelWait(waiter.get()));

        call.cancel();

        waited.get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldWaitWholeTimeWhenCallIsNotCancelled() throws Exception {
        long start = System.nanoTime();

        CancelWait.await(call, Duration.ofMillis(50).toNanos());

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
    }

    private void waitTenSeconds() {
        try {
            CancelWait.await(call, TEN_SECONDS);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether {@code thread} (null until it starts) is parked in the timed wait of {@link CancelWait#await}. */
    private static boolean waitsInCancelWait(Thread thread) {
        return thread != null && thread.getState() == Thread.State.TIMED_WAITING
                && Arrays.stream(thread.getStackTrace())
                        .anyMatch(frame -> frame.getClassName().equals(CancelWait.class.getName()));
    }
}
