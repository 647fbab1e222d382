package io.mesh4j.resilience;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.Ticker;
import io.mesh4j.api.balancer.AttemptOutcome;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides, after each failed attempt of a call, whether to try again and after how long, by a {@link RetryConfig}
 * and a {@link RetryBudget} shared by all calls to one service. It knows nothing of HTTP libraries: the client hands
 * it what it saw.
 *
 * <p>Thread-safe.
 */
public final class RetryPolicy {

    /** Returned by {@link #retryDelayNanos} when the attempt must not be retried. */
    public static final long NO_RETRY = -1;

    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    private final RetryConfig config;
    private final RetryBudget budget;
    /** Whether each status code below 600 is retryable: a set look-up would box the code on every attempt. */
    private final boolean[] retryableStatus = new boolean[600];

    private RetryPolicy(RetryConfig config, RetryBudget budget) {
        this.config = config;
        this.budget = budget;
        config.retryStatuses().forEach(status -> retryableStatus[status] = true);
    }

    /** A policy with its own budget, counting time with {@code ticker}. */
    public static RetryPolicy create(RetryConfig config, Ticker ticker) {
        requireNonNull(config, "config");
        return new RetryPolicy(config, RetryBudget.create(config, requireNonNull(ticker, "ticker")));
    }

    /**
     * A policy deciding by {@code config} whose retries draw on {@code budget}, another policy's: routes of one
     * service retry differently but share the service's budget. The budget settings of {@code config} are not used.
     */
    public static RetryPolicy create(RetryConfig config, RetryBudget budget) {
        return new RetryPolicy(requireNonNull(config, "config"), requireNonNull(budget, "budget"));
    }

    public RetryConfig config() {
        return config;
    }

    public RetryBudget budget() {
        return budget;
    }

    /**
     * Records a new call (its first attempt) in the budget.
     *
     * @param nowNanos a reading of the policy's ticker (the caller reads the time anyway to time the call)
     */
    public void onCall(long nowNanos) {
        budget.deposit(nowNanos);
    }

    /**
     * Whether the attempt just ended may be retried, and when, its retry taken from the budget: {@link #delayIfAllowed}
     * followed by {@link #withdraw}.
     *
     * @param method the HTTP method, upper case
     * @param markedIdempotent whether the caller marked this request safe to repeat
     * @param attemptsMade attempts made so far, this one included
     * @param outcome how the attempt ended
     * @param status the response status, or 0 when there was no response
     * @param retryAfterNanos the server's {@code Retry-After} as a duration, or -1 when it sent none
     * @param bodyReplayable whether the request body can be sent again (false for a one-shot body)
     * @return the wait before the next attempt in nanoseconds, or {@link #NO_RETRY}
     */
    public long retryDelayNanos(String method, boolean markedIdempotent, int attemptsMade, AttemptOutcome outcome,
            int status, long retryAfterNanos, boolean bodyReplayable) {
        long delay = delayIfAllowed(method, markedIdempotent, attemptsMade, outcome, status, retryAfterNanos,
                bodyReplayable);
        return delay != NO_RETRY && withdraw(outcome) ? delay : NO_RETRY;
    }

    /**
     * Whether the attempt just ended may be retried, and when, with the budget looked at but not drawn on: a caller
     * that still has to find an instance to retry on asks this first, and draws on the budget ({@link #withdraw})
     * only once it has one, so that neither the budget nor its balancer's round-robin position is spent on a retry
     * that cannot happen. Same parameters as {@link #retryDelayNanos}.
     *
     * @return the wait before the next attempt in nanoseconds, or {@link #NO_RETRY}
     */
    public long delayIfAllowed(String method, boolean markedIdempotent, int attemptsMade, AttemptOutcome outcome,
            int status, long retryAfterNanos, boolean bodyReplayable) {
        if (attemptsMade >= config.maxAttempts() || !outcome.completed()) {
            return NO_RETRY;
        }
        boolean neverSent = outcome.requestNeverSent();
        boolean retryableResult = status != 0 ? isRetryableStatus(status) : outcome.isFailure();
        if (!retryableResult) {
            return NO_RETRY;
        }
        boolean idempotent = isIdempotent(method) || markedIdempotent || config.retryNonIdempotent();
        if (!neverSent && (!idempotent || !bodyReplayable)) {
            return NO_RETRY;
        }
        long delay = backoffNanos(attemptsMade);
        if (retryAfterNanos >= 0 && (status == 429 || status == 503)) {
            if (retryAfterNanos > config.retryAfterMax().toNanos()) {
                return NO_RETRY;
            }
            delay = retryAfterNanos;
        }
        return neverSent || budget.balance() > 0 ? delay : NO_RETRY;
    }

    /**
     * Takes the retry of an attempt that ended with {@code outcome} from the budget; whether the budget allowed it.
     * The budget caps the load retries add to the service; an attempt that never reached a server added none, so its
     * retry is free.
     */
    public boolean withdraw(AttemptOutcome outcome) {
        return outcome.requestNeverSent() || budget.tryWithdraw();
    }

    /** Whether a response with {@code status} is worth another attempt: one of {@link RetryConfig#retryStatuses()}. */
    public boolean isRetryableStatus(int status) {
        return status > 0 && status < retryableStatus.length && retryableStatus[status];
    }

    /** Whether HTTP says {@code method} (upper case) may be repeated without a further effect. */
    static boolean isIdempotent(String method) {
        return IDEMPOTENT.contains(method);
    }

    /** Full jitter: uniform in {@code [0, min(max, base * 2^(retry - 1))]} for the {@code retry}-th retry. */
    long backoffNanos(int retry) {
        long base = config.backoffBase().toNanos();
        long cap = config.backoffMax().toNanos();
        long ceiling = retry >= 62 || base << (retry - 1) >>> (retry - 1) != base
                ? cap
                : Math.min(cap, base << (retry - 1));
        return ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
    }
}
