package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * What telemetry records about one logical call: its attempts and its end. When neither metrics, tracing nor the
 * access log is on, every call gets the same do-nothing scope, so the call path allocates nothing for telemetry.
 *
 * <p>One scope belongs to one call; its methods are called by the thread running the call, also for hedged
 * attempts, whose answers that thread collects.
 */
interface CallScope {

    CallScope NOOP = new CallScope() {
        @Override
        public AttemptScope beforeAttempt(Request.Builder attempt, ServiceInstance instance, HttpUrl url, int number,
                AttemptKind kind) {
            return AttemptScope.NOOP;
        }

        @Override
        public void end(@Nullable Response response, @Nullable Throwable failure, CallOutcome outcome) {
        }
    };

    /**
     * The {@code number}th attempt of the call, to {@code instance} at {@code url}, is about to be sent; may add
     * headers (trace context).
     */
    AttemptScope beforeAttempt(Request.Builder attempt, ServiceInstance instance, HttpUrl url, int number,
            AttemptKind kind);

    /** The logical call ended. */
    void end(@Nullable Response response, @Nullable Throwable failure, CallOutcome outcome);
}
