package io.mesh4j.client;

import static java.util.Objects.requireNonNull;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.LoadBalancerFactory;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.resilience.AdaptiveLimitConfig;
import io.mesh4j.resilience.HedgingConfig;
import io.mesh4j.resilience.RetryConfig;
import io.mesh4j.resilience.TimeoutConfig;

/**
 * How the mesh treats calls to one service. Immutable and thread-safe; build one with {@link #custom()} or derive
 * one with {@link #from(ServiceSettings)}, and hand it to {@link MeshClient.Builder#defaultSettings} or
 * {@link MeshClient.Builder#service}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link #balancer()}</td><td>{@link LoadBalancers#peakEwma()}</td></tr>
 *   <tr><td>{@link #hashKeyHeader()}</td><td>none</td></tr>
 *   <tr><td>{@link #hashKeyCookie()}</td><td>none</td></tr>
 *   <tr><td>{@link #hostHeader()}</td><td>{@link HostHeader#SERVICE}: the backend sees {@code Host: orders}</td></tr>
 *   <tr><td>{@link #activeHealthCheck()}</td><td>none (off)</td></tr>
 *   <tr><td>{@link #retry()}</td><td>{@link RetryConfig#ofDefaults()}: 3 attempts, within a 20% budget</td></tr>
 *   <tr><td>{@link #hedging()}</td><td>{@link HedgingConfig#disabled()}</td></tr>
 *   <tr><td>{@link #timeouts()}</td><td>{@link TimeoutConfig#ofDefaults()}: 10 s per attempt, 15 s per
 *   call</td></tr>
 *   <tr><td>{@link #circuitBreaker()}</td><td>none (off)</td></tr>
 *   <tr><td>{@link #instanceCircuitBreaker()}</td><td>none (off)</td></tr>
 *   <tr><td>{@link #fallback()}</td><td>none: an open breaker fails the call</td></tr>
 *   <tr><td>{@link #rateLimit()}</td><td>none (off)</td></tr>
 *   <tr><td>{@link #concurrencyLimit()}</td><td>none (off)</td></tr>
 *   <tr><td>{@link #adaptiveConcurrencyLimit()}</td><td>none (off)</td></tr>
 *   <tr><td>{@link #tls()}</td><td>none: TLS as the URL and the instance say, with the client's own settings</td></tr>
 * </table>
 *
 * <p>The consistent-hashing key of a request is, in this order: its {@link HashKey} tag, the value of
 * {@link #hashKeyHeader()}, the value of cookie {@link #hashKeyCookie()}; else it has none.
 *
 * <pre>{@code
 * ServiceSettings carts = ServiceSettings.custom()
 *     .balancer(LoadBalancers.of(Algorithm.RING_HASH))
 *     .hashKeyHeader("X-User-Id")
 *     .build();
 * }</pre>
 */
public final class ServiceSettings {

    private static final ServiceSettings DEFAULTS = new Builder().build();

    private final LoadBalancerFactory balancer;
    @Nullable
    private final String hashKeyHeader;
    @Nullable
    private final String hashKeyCookie;
    private final HostHeader hostHeader;
    @Nullable
    private final ActiveHealthCheck activeHealthCheck;
    private final RetryConfig retry;
    private final HedgingConfig hedging;
    private final TimeoutConfig timeouts;
    @Nullable
    private final CircuitBreakerConfig circuitBreaker;
    @Nullable
    private final CircuitBreakerConfig instanceCircuitBreaker;
    @Nullable
    private final Fallback fallback;
    @Nullable
    private final RateLimiterConfig rateLimit;
    @Nullable
    private final BulkheadConfig concurrencyLimit;
    @Nullable
    private final AdaptiveLimitConfig adaptiveConcurrencyLimit;
    @Nullable
    private final TlsSettings tls;

    private ServiceSettings(Builder builder) {
        this.adaptiveConcurrencyLimit = builder.adaptiveConcurrencyLimit;
        this.tls = builder.tls;
        this.circuitBreaker = builder.circuitBreaker;
        this.instanceCircuitBreaker = builder.instanceCircuitBreaker;
        this.fallback = builder.fallback;
        this.rateLimit = builder.rateLimit;
        this.concurrencyLimit = builder.concurrencyLimit;
        this.timeouts = builder.timeouts;
        this.retry = builder.retry;
        this.hedging = builder.hedging;
        this.activeHealthCheck = builder.activeHealthCheck;
        this.balancer = builder.balancer;
        this.hashKeyHeader = builder.hashKeyHeader;
        this.hashKeyCookie = builder.hashKeyCookie;
        this.hostHeader = builder.hostHeader;
    }

    /** The documented defaults. */
    public static ServiceSettings ofDefaults() {
        return DEFAULTS;
    }

    /** A builder that starts from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder that starts from {@code base}. */
    public static Builder from(ServiceSettings base) {
        requireNonNull(base, "base");
        return new Builder().balancer(base.balancer).hashKeyHeader(base.hashKeyHeader)
.hashKeyCookie(base.hashKeyCookie).hostHeader(base.hostHeader).activeHealthCheck(base.activeHealthCheck).retry(base.retry)
                .hedging(base.hedging).timeouts(base.timeouts)
                .circuitBreaker(base.circuitBreaker).instanceCircuitBreaker(base.instanceCircuitBreaker)
                .fallback(base.fallback)
                .rateLimit(base.rateLimit).concurrencyLimit(base.concurrencyLimit)
                .adaptiveConcurrencyLimit(base.adaptiveConcurrencyLimit).tls(base.tls);
    }

    /** Creates each service's balancer. */
    public LoadBalancerFactory balancer() {
        return balancer;
    }

    /** The request header whose value is the hashing key, or {@code null}. */
    @Nullable
    public String hashKeyHeader() {
        return hashKeyHeader;
    }

    /** The cookie whose value is the hashing key, or {@code null}. */
    @Nullable
    public String hashKeyCookie() {
        return hashKeyCookie;
    }

    /** What the {@code Host} header of this service's requests names: the service, or the picked instance. */
    public HostHeader hostHeader() {
        return hostHeader;
    }

    /** Active health checking of this service's instances, or {@code null} when off. */
    @Nullable
    public ActiveHealthCheck activeHealthCheck() {
        return activeHealthCheck;
    }

    /** When failed attempts are retried. */
    public RetryConfig retry() {
        return retry;
    }

    /** When to send backup requests to other instances; they draw on the {@link #retry()} budget. */
    public HedgingConfig hedging() {
        return hedging;
    }

    /** Per-attempt and whole-call timeouts. */
    public TimeoutConfig timeouts() {
        return timeouts;
    }

    /** The service's circuit breaker (Resilience4j), or {@code null} when off. */
    @Nullable
    public CircuitBreakerConfig circuitBreaker() {
        return circuitBreaker;
    }

    /** What answers calls the open service breaker rejects, or {@code null} to fail them. */
    @Nullable
    public Fallback fallback() {
        return fallback;
    }

    /** The config of each instance's circuit breaker (Resilience4j), or {@code null} when off. */
    @Nullable
    public CircuitBreakerConfig instanceCircuitBreaker() {
        return instanceCircuitBreaker;
    }

    /** The service's rate limit (Resilience4j), or {@code null} when off. */
    @Nullable
    public RateLimiterConfig rateLimit() {
        return rateLimit;
    }

    /** The service's concurrency limit (a Resilience4j bulkhead), or {@code null} when off. */
    @Nullable
    public BulkheadConfig concurrencyLimit() {
        return concurrencyLimit;
    }

    /** The service's adaptive concurrency limit, or {@code null} when off. */
    @Nullable
    public AdaptiveLimitConfig adaptiveConcurrencyLimit() {
        return adaptiveConcurrencyLimit;
    }

    /** The service's TLS, or {@code null} for TLS as the URL and the instance say, with the client's settings. */
    @Nullable
    public TlsSettings tls() {
        return tls;
    }

    @Override
    public String toString() {
        return "ServiceSettings{balancer=" + balancer.name() + ", " + retry + ", " + timeouts
                + (tls != null ? ", " + tls : "")
                + (hostHeader != HostHeader.SERVICE ? ", hostHeader=" + hostHeader : "")
                + (hedging.enabled() ? ", " + hedging : "")
                + (activeHealthCheck != null ? ", " + activeHealthCheck : "")
                + (hashKeyHeader != null ? ", hashKeyHeader=" + hashKeyHeader : "")
                + (hashKeyCookie != null ? ", hashKeyCookie=" + hashKeyCookie : "") + '}';
    }

    /** Builds {@link ServiceSettings}. Not thread-safe. */
    public static final class Builder {
        private LoadBalancerFactory balancer = LoadBalancers.peakEwma();
        @Nullable
        private String hashKeyHeader;
        @Nullable
        private String hashKeyCookie;
        private HostHeader hostHeader = HostHeader.SERVICE;
        @Nullable
        private ActiveHealthCheck activeHealthCheck;
        private RetryConfig retry = RetryConfig.ofDefaults();
        private HedgingConfig hedging = HedgingConfig.disabled();
        private TimeoutConfig timeouts = TimeoutConfig.ofDefaults();
        @Nullable
        private CircuitBreakerConfig circuitBreaker;
        @Nullable
        private CircuitBreakerConfig instanceCircuitBreaker;
        @Nullable
        private Fallback fallback;
        @Nullable
        private RateLimiterConfig rateLimit;
        @Nullable
        private BulkheadConfig concurrencyLimit;
        @Nullable
        private AdaptiveLimitConfig adaptiveConcurrencyLimit;
        @Nullable
        private TlsSettings tls;

        private Builder() {
        }

        /**
         * Limits calls in flight by a limit that shrinks when calls fail or slow down and grows while they go well;
         * calls past it fail at once with {@link io.mesh4j.api.ConcurrencyLimitException}. {@code null} turns it
         * off. Default: off.
         */
        /**
         * The service's own TLS: trusted roots, client certificate, expected identity and lowest version. Every call
         * to the service then goes over TLS with them, even for an {@code http://} URL. {@code null} for none.
         */
        public Builder tls(@Nullable TlsSettings tls) {
            this.tls = tls;
            return this;
        }

        public Builder adaptiveConcurrencyLimit(@Nullable AdaptiveLimitConfig adaptiveConcurrencyLimit) {
            this.adaptiveConcurrencyLimit = adaptiveConcurrencyLimit;
            return this;
        }

        /**
         * Guards the service with a circuit breaker: while it is open, calls fail fast with
         * {@link io.mesh4j.api.CircuitOpenException}. 5xx answers and I/O failures count as failures. Use the
         * config's {@code clock} to drive it in tests. {@code null} turns it off. Default: off.
         */
        public Builder circuitBreaker(@Nullable CircuitBreakerConfig circuitBreaker) {
            this.circuitBreaker = circuitBreaker;
            return this;
        }

        /**
         * Answers calls the open service breaker rejects, instead of failing them with
         * {@link io.mesh4j.api.CircuitOpenException}. {@code null} fails them. Default: none.
         */
        public Builder fallback(@Nullable Fallback fallback) {
            this.fallback = fallback;
            return this;
        }

        /**
         * Gives each instance its own circuit breaker, fed by every attempt sent to it (5xx and I/O failures count);
         * while an instance's breaker is open the balancer does not pick it and the other instances take its
         * traffic, alongside outlier ejection. {@code null} turns it off. Default: off.
         */
        public Builder instanceCircuitBreaker(@Nullable CircuitBreakerConfig instanceCircuitBreaker) {
            this.instanceCircuitBreaker = instanceCircuitBreaker;
            return this;
        }

        /**
         * Limits the call rate; calls past it fail at once with {@link io.mesh4j.api.RateLimitedException} (the
         * config's wait is ignored). {@code null} turns it off. Default: off.
         */
        public Builder rateLimit(@Nullable RateLimiterConfig rateLimit) {
            this.rateLimit = rateLimit;
            return this;
        }

        /**
         * Limits calls in flight; calls past it fail at once with {@link io.mesh4j.api.ConcurrencyLimitException}
         * (the config's wait is ignored). {@code null} turns it off. Default: off.
         */
        public Builder concurrencyLimit(@Nullable BulkheadConfig concurrencyLimit) {
            this.concurrencyLimit = concurrencyLimit;
            return this;
        }

        /** Per-attempt and whole-call timeouts. Default: {@link TimeoutConfig#ofDefaults()}. */
        public Builder timeouts(TimeoutConfig timeouts) {
            this.timeouts = requireNonNull(timeouts, "timeouts");
            return this;
        }

        /** When to retry; {@link RetryConfig#disabled()} for never. Default: {@link RetryConfig#ofDefaults()}. */
        public Builder retry(RetryConfig retry) {
            this.retry = requireNonNull(retry, "retry");
            return this;
        }

        /**
         * When to hedge: send a backup request to another instance while the first is slow (idempotent requests
         * only). Hedges are withdrawn from the {@link #retry} budget. Default: {@link HedgingConfig#disabled()}.
         *
         * <p>Hedging applies to calls the mesh runs ({@code MeshClient.newCall}, {@code MeshClient.callFactory}):
         * each attempt, the first included, is an asynchronous call of the client the calls are made through, the
         * hedge delay is a timer on the mesh's scheduler, and the attempts still running when a good answer arrives
         * are cancelled. Calls through the mesh interceptor are not hedged (a chain carries one request at a time);
         * the first such call logs a warning. Hedges count as attempts of the call ({@link RetryConfig#maxAttempts()}).
         */
        public Builder hedging(HedgingConfig hedging) {
            this.hedging = requireNonNull(hedging, "hedging");
            return this;
        }

        /** Turns on active health checking; {@code null} turns it off. Default: off. */
        public Builder activeHealthCheck(@Nullable ActiveHealthCheck activeHealthCheck) {
            this.activeHealthCheck = activeHealthCheck;
            return this;
        }

        /** Sets the balancer. Default: {@link LoadBalancers#peakEwma()}. */
        public Builder balancer(LoadBalancerFactory balancer) {
            this.balancer = requireNonNull(balancer, "balancer");
            return this;
        }

        /**
         * What the {@code Host} header names: {@link HostHeader#SERVICE} sends the logical host ({@code orders}),
         * as Envoy keeps a request's authority, for backends that route or check on it; {@link HostHeader#INSTANCE}
         * sends the picked instance's address. Default: {@link HostHeader#SERVICE}.
         */
        public Builder hostHeader(HostHeader hostHeader) {
            this.hostHeader = requireNonNull(hostHeader, "hostHeader");
            return this;
        }

        /** The header to take the hashing key from; {@code null} for none. Default: none. */
        public Builder hashKeyHeader(@Nullable String hashKeyHeader) {
            this.hashKeyHeader = hashKeyHeader;
            return this;
        }

        /** The cookie to take the hashing key from; {@code null} for none. Default: none. */
        public Builder hashKeyCookie(@Nullable String hashKeyCookie) {
            this.hashKeyCookie = hashKeyCookie;
            return this;
        }

        /**
         * Builds the settings.
         *
         * @throws IllegalArgumentException naming the field when a header or cookie name is empty, or when hedging
         *     is on but the retry budget allows nothing, or fewer hedges than a percentile delay wants
         */
        public ServiceSettings build() {
            if (hedging.enabled() && retry.budgetPercent() == 0 && retry.budgetMinPerSecond() == 0) {
                throw new IllegalArgumentException("hedging: " + hedging + " (expected: a retry budget above zero,"
                        + " as hedges draw on it; retry budgetPercent and budgetMinPerSecond are both 0)");
            }
            double wantingHedge = 100 - hedging.delayPercentile();
            if (hedging.enabled() && hedging.delayPercentile() > 0 && wantingHedge > retry.budgetPercent()) {
                throw new IllegalArgumentException("hedging: delayPercentile=" + plain(hedging.delayPercentile())
                        + " (expected: at least " + (100 - retry.budgetPercent()) + ", as a hedge after that"
                        + " percentile is wanted by " + plain(wantingHedge) + "% of calls while the retry"
                        + " budget allows hedges for " + retry.budgetPercent() + "%: they would run out on calls"
                        + " that were fast anyway and be missing for the slow ones)");
            }
            if (hashKeyHeader != null && hashKeyHeader.isBlank()) {
                throw new IllegalArgumentException("hashKeyHeader: '" + hashKeyHeader
                        + "' (expected: a header name, or null for none)");
            }
            if (hashKeyCookie != null && hashKeyCookie.isBlank()) {
                throw new IllegalArgumentException("hashKeyCookie: '" + hashKeyCookie
                        + "' (expected: a cookie name, or null for none)");
            }
            return new ServiceSettings(this);
        }

        private static String plain(double number) {
            return java.math.BigDecimal.valueOf(number).stripTrailingZeros().toPlainString();
        }
    }
}
