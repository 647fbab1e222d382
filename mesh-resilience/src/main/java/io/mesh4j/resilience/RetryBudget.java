package io.mesh4j.resilience;

import io.mesh4j.api.Ticker;
import io.mesh4j.resilience.internal.WindowedRetryBudget;

/**
 * Bounds retries to a share of live traffic (Finagle's retry budget): every request deposits, every retry
 * withdraws, and a retry is allowed while retries over the window stay within
 * {@code budgetMinPerSecond * window + budgetPercent% of requests}. A budget stops retry storms: when every
 * instance fails, retries add at most that share instead of multiplying the load by the attempt count.
 *
 * <p>Thread-safe and lock-free; threads withdrawing at once never take more than the balance.
 */
public interface RetryBudget {

    /** A budget for {@code config}'s share, floor and window, counting time with {@code ticker}. */
    static RetryBudget create(RetryConfig config, Ticker ticker) {
        return new WindowedRetryBudget(config.budgetPercent(), config.budgetMinPerSecond(),
                (int) config.budgetWindow().toSeconds(), ticker);
    }

    /** Records one request (a first attempt) at {@code nowNanos}, a reading of the budget's ticker. */
    void deposit(long nowNanos);

    /** Takes one retry from the budget; returns false, recording nothing, when it is spent. */
    boolean tryWithdraw();

    /** Retries still allowed right now; may be negative after a race. */
    long balance();
}
