package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import okhttp3.Response;

/** How an attempt (or a hedged round of attempts) ended: a response or a failure, and its outcome. Immutable. */
final class AttemptResult {
    @Nullable
    final Response response;
    @Nullable
    final Throwable failure;
    final AttemptOutcome outcome;

    AttemptResult(@Nullable Response response, @Nullable Throwable failure, AttemptOutcome outcome) {
        this.response = response;
        this.failure = failure;
        this.outcome = outcome;
    }

    /** Closes the response, if any: for a result nobody will return. */
    void close() {
        if (response != null) {
            response.close();
        }
    }
}
