package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import okhttp3.Response;

/** How an attempt ended: its instance, a response or a failure, and its outcome. Immutable. */
final class AttemptResult {
    @Nullable
    final Response response;
    @Nullable
    final Throwable failure;
    final AttemptOutcome outcome;
    final ServiceInstance instance;

    AttemptResult(@Nullable Response response, @Nullable Throwable failure, AttemptOutcome outcome,
            ServiceInstance instance) {
        this.response = response;
        this.failure = failure;
        this.outcome = outcome;
        this.instance = instance;
    }

    /** Closes the response, if any: for a result nobody will return. */
    void close() {
        if (response != null) {
            response.close();
        }
    }
}
