package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import okhttp3.Response;

/**
 * What telemetry records about one attempt, from {@link CallScope#beforeAttempt} to {@link #end}. A hedged call has
 * several open at once; each is ended exactly once, by the thread running the call.
 */
interface AttemptScope {

    AttemptScope NOOP = (response, failure, outcome) -> { };

    /** The attempt ended with a response, a failure, or neither when it was abandoned or cancelled. */
    void end(@Nullable Response response, @Nullable Throwable failure, AttemptOutcome outcome);
}
