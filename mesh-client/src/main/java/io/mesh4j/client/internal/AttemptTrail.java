package io.mesh4j.client.internal;

import io.mesh4j.api.AttemptsFailedException;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import java.util.ArrayList;
import java.util.List;

/**
 * The attempts of one call that did not give its answer, kept so that the error ending the call can name every
 * instance tried and what happened there ({@link AttemptsFailedException}). Made only once a call retries, so a call
 * answered at the first attempt allocates none.
 *
 * <p>Not thread-safe: it belongs to the thread running the call.
 */
final class AttemptTrail {

    private final List<String> lines = new ArrayList<>(4);
    private final List<Throwable> failures = new ArrayList<>(4);

    /** Records that an attempt ended with {@code result}. */
    void add(Attempt result) {
        int status = result.response() != null ? result.response().code() : 0;
        lines.add(describe(result.instance(), status, result.failure()));
        if (result.failure() != null) {
            failures.add(result.failure());
        }
    }

    /**
     * The error that ends the call with {@code last}, the failure of its final attempt ({@code lastAttempt}) or of
     * the call itself when that is {@code null}: every attempt listed, earlier failures suppressed.
     */
    AttemptsFailedException failure(String service, @Nullable Attempt lastAttempt, Throwable last) {
        List<String> all = new ArrayList<>(lines);
        all.add(lastAttempt != null ? describe(lastAttempt.instance(), 0, last) : reason(last));
        AttemptsFailedException failure = new AttemptsFailedException(service, all, last);
        failures.forEach(failure::addSuppressed);
        return failure;
    }

    private static String describe(ServiceInstance instance, int status, Throwable failure) {
        return instance.id() + " (" + instance.host() + ':' + instance.port() + "): "
                + (failure == null ? "HTTP " + status : reason(failure));
    }

    private static String reason(Throwable failure) {
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
