package io.mesh4j.client;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;

/**
 * Answers that backends of a test hold until the test releases them (at the latest after 10 s), so that whether a
 * call needs a hedge, a deadline or a cancel never depends on timing. Thread-safe.
 */
final class HeldAnswers {

    private final CountDownLatch release = new CountDownLatch(1);

    /** A 200 with {@code body}, once the test has called {@link #release()}. */
    MockResponse held(String body) {
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ok(body);
    }

    /** Lets every held answer go. */
    void release() {
        release.countDown();
    }

    /**
     * {@code answer} once {@code latch} is open, a 500 if it stays shut for 5 s. A fast backend answers this way once
     * the stuck one has read its request, so a hedge cannot win (and cancel the first attempt) before the first
     * attempt reached the wire, however slow its connect or TLS handshake.
     */
    static MockResponse after(CountDownLatch latch, MockResponse answer) {
        try {
            return latch.await(5, TimeUnit.SECONDS) ? answer : new MockResponse.Builder().code(500).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new MockResponse.Builder().code(500).build();
        }
    }

    static MockResponse ok(String body) {
        return new MockResponse.Builder().code(200).body(body).build();
    }
}
