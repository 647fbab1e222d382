package io.mesh4j.resilience;

import static java.util.Objects.requireNonNull;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.mesh4j.api.CircuitOpenException;
import io.mesh4j.api.ConcurrencyLimitException;
import io.mesh4j.api.MeshException;
import io.mesh4j.api.RateLimitedException;
import io.mesh4j.api.annotation.Nullable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The gates in front of one service, each optional, built on Resilience4j where it has the gate: a rate limiter, a
 * concurrency limit (bulkhead), an {@linkplain AdaptiveConcurrencyLimit adaptive concurrency limit} and a circuit
 * breaker. {@link #admit()} lets a call through or rejects it with a typed
 * {@link MeshException} at once; an admitted call must then report exactly one {@link #onSuccess} or
 * {@link #onFailure}, which releases its concurrency slot and feeds the breaker. The breaker counts 5xx answers
 * and I/O failures as failures and calls slower than its slow-call threshold as slow; 4xx answers are successes.
 *
 * <p>Neither gate ever makes a call wait: the rate limiter's {@code timeoutDuration} (5 s by Resilience4j's default)
 * and the bulkhead's {@code maxWaitDuration} are replaced with zero, since a call thread parked in the mesh is worse
 * than a fast, typed rejection the caller can act on.
 *
 * <p>Thread-safe.
 */
public final class ServiceGuard {

    private final String service;
    @Nullable
    private final RateLimiter rateLimiter;
    @Nullable
    private final Bulkhead bulkhead;
    @Nullable
    private final CircuitBreaker circuitBreaker;
    @Nullable
    private final AdaptiveConcurrencyLimit adaptiveLimit;

    private ServiceGuard(String service, @Nullable RateLimiter rateLimiter, @Nullable Bulkhead bulkhead,
            @Nullable CircuitBreaker circuitBreaker, @Nullable AdaptiveConcurrencyLimit adaptiveLimit) {
        this.service = service;
        this.rateLimiter = rateLimiter;
        this.bulkhead = bulkhead;
        this.circuitBreaker = circuitBreaker;
        this.adaptiveLimit = adaptiveLimit;
    }

    /** A guard for {@code service} with the gates whose config is given; {@code null} leaves a gate out. */
    public static ServiceGuard create(String service, @Nullable RateLimiterConfig rateLimit,
            @Nullable BulkheadConfig concurrencyLimit, @Nullable AdaptiveLimitConfig adaptiveLimit,
            @Nullable CircuitBreakerConfig circuitBreaker) {
        requireNonNull(service, "service");
        return new ServiceGuard(service,
                rateLimit == null ? null
                        : RateLimiter.of(service, RateLimiterConfig.from(rateLimit).timeoutDuration(Duration.ZERO).build()),
                concurrencyLimit == null ? null
                        : Bulkhead.of(service, BulkheadConfig.from(concurrencyLimit).maxWaitDuration(Duration.ZERO).build()),
                circuitBreaker == null ? null : CircuitBreaker.of(service, circuitBreaker),
                adaptiveLimit == null ? null : new AdaptiveConcurrencyLimit(adaptiveLimit));
    }

    /** Whether any gate is configured; a guard without gates costs nothing and need not be called. */
    public boolean isActive() {
        return rateLimiter != null || bulkhead != null || circuitBreaker != null || adaptiveLimit != null;
    }

    /**
     * Lets a call through, or rejects it.
     *
     * @throws RateLimitedException when the rate limit has no permit now
     * @throws ConcurrencyLimitException when the concurrency limit is reached
     * @throws CircuitOpenException when the breaker does not permit a call
     */
    public void admit() throws MeshException {
        if (rateLimiter != null && !rateLimiter.acquirePermission()) {
            throw new RateLimitedException(service);
        }
        if (bulkhead != null && !bulkhead.tryAcquirePermission()) {
            throw new ConcurrencyLimitException(service);
        }
        if (adaptiveLimit != null && !adaptiveLimit.tryAcquire()) {
            if (bulkhead != null) {
                bulkhead.onComplete();
            }
            throw new ConcurrencyLimitException(service);
        }
        if (circuitBreaker != null && !circuitBreaker.tryAcquirePermission()) {
            if (bulkhead != null) {
                bulkhead.onComplete();
            }
            if (adaptiveLimit != null) {
                adaptiveLimit.onComplete(0, false);
            }
            throw new CircuitOpenException(service);
        }
    }

    /** The admitted call succeeded (any answer below 500) after {@code nanos}. */
    public void onSuccess(long nanos) {
        if (circuitBreaker != null) {
            circuitBreaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        }
        if (adaptiveLimit != null) {
            adaptiveLimit.onComplete(nanos, false);
        }
        release();
    }

    /** The admitted call failed (a 5xx answer, or {@code cause}) after {@code nanos}. */
    public void onFailure(long nanos, Throwable cause) {
        if (circuitBreaker != null) {
            circuitBreaker.onError(nanos, TimeUnit.NANOSECONDS, cause);
        }
        if (adaptiveLimit != null) {
            adaptiveLimit.onComplete(nanos, true);
        }
        release();
    }

    private void release() {
        if (bulkhead != null) {
            bulkhead.onComplete();
        }
    }

    /** The breaker, for its state and its event publisher ({@code getEventPublisher().onStateTransition(...)}). */
    @Nullable
    public CircuitBreaker circuitBreaker() {
        return circuitBreaker;
    }

    @Nullable
    public Bulkhead bulkhead() {
        return bulkhead;
    }

    @Nullable
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    @Nullable
    public AdaptiveConcurrencyLimit adaptiveLimit() {
        return adaptiveLimit;
    }
}
