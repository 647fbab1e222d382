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

    static MockResponse ok(String body) {
        return new MockResponse.Builder().code(200).body(body).build();
    }
}
