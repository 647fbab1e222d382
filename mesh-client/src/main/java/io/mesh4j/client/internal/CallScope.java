package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * What telemetry records about one logical call: its attempts and its end. When neither metrics, tracing nor the
 * access log is on, every call gets the same do-nothing scope, so the call path allocates nothing for telemetry.
 *
 * <p>One scope belongs to one call; its methods are called in order by the thread running the call.
 */
interface CallScope {

    CallScope NOOP = new CallScope() {
        @Override
        public void beforeAttempt(Request.Builder attempt, ServiceInstance instance, HttpUrl url, int number) {
        }

        @Override
        public void afterAttempt(@Nullable Response response, @Nullable Throwable failure, AttemptOutcome outcome) {
        }

        @Override
        public void end(@Nullable Response response, @Nullable Throwable failure, CallOutcome outcome) {
        }
    };

    /** An attempt to {@code instance} at {@code url} is about to be sent; may add headers (trace context). */
    void beforeAttempt(Request.Builder attempt, ServiceInstance instance, HttpUrl url, int number);

    /** The attempt begun by the last {@link #beforeAttempt} ended with a response or a failure. */
    void afterAttempt(@Nullable Response response, @Nullable Throwable failure, AttemptOutcome outcome);

    /** The logical call ended. */
    void end(@Nullable Response response, @Nullable Throwable failure, CallOutcome outcome);
}
