package io.mesh4j.client.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.mesh4j.api.ServiceDiscovery;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.BalancerStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.mesh4j.api.balancer.AttemptOutcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import okhttp3.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The client's telemetry: Micrometer meters, OpenTelemetry spans and the SLF4J access log, each optional. It hands
 * every call a {@link CallScope}: the shared do-nothing scope when nothing would be recorded, else a
 * {@link RecordingCallScope}.
 *
 * <p>Meters: {@value #CALLS} (timer per logical call; tags {@code service}, {@code method}, {@code status},
 * {@code outcome}), {@value #ATTEMPTS} (counter per attempt; tags {@code service}, {@code instance} unless turned
 * off, {@code kind}: {@code first}, {@code retry} or {@code hedge}; {@code outcome}), and per service the gauges {@value #ACTIVE} (calls in flight) and
 * {@value #INSTANCES} (tag {@code state}: {@code total}, {@code healthy}, {@code ejected},
 * {@code failing_health_checks}), {@value #RETRY_BUDGET} (retries the budget allows now) and, with a circuit
 * breaker, {@value #CIRCUIT_STATE} (tag {@code state}: 1 for the breaker's state, 0 for the others), and
 * {@value #STALENESS} (seconds since discovery last answered; NaN for discovery that is never stale).
 *
 * <p>Thread-safe.
 */
public final class Telemetry implements AutoCloseable {

    static final String CALLS = "mesh.client.requests";
    static final String ATTEMPTS = "mesh.client.attempts";
    static final String ACTIVE = "mesh.client.requests.active";
    static final String INSTANCES = "mesh.service.instances";
    static final String RETRY_BUDGET = "mesh.client.retry.budget";
    static final String CIRCUIT_STATE = "mesh.client.circuit.state";
    static final String STALENESS = "mesh.discovery.staleness";
    static final String ACCESS_LOGGER = "io.mesh4j.access";

    @Nullable
    private final MeterRegistry registry;
    private final boolean instanceTags;
    @Nullable
    private final OpenTelemetry openTelemetry;
    @Nullable
    private final Tracer tracer;
    @Nullable
    private final Level accessLogLevel;
    private final Logger accessLog = LoggerFactory.getLogger(ACCESS_LOGGER);
    private final List<Meter> serviceMeters = new CopyOnWriteArrayList<>();
    @Nullable
    private final ServiceDiscovery discovery;
    private final Ticker ticker;

    public Telemetry(@Nullable MeterRegistry registry, boolean instanceTags, @Nullable OpenTelemetry openTelemetry,
            @Nullable Level accessLogLevel) {
        this(registry, instanceTags, openTelemetry, accessLogLevel, null, Ticker.system());
    }

    /**
     * @param discovery reports staleness for the {@value #STALENESS} gauge, or {@code null} for no such gauge
     * @param ticker the client's clock, which times calls
     */
    public Telemetry(@Nullable MeterRegistry registry, boolean instanceTags, @Nullable OpenTelemetry openTelemetry,
            @Nullable Level accessLogLevel, @Nullable ServiceDiscovery discovery, Ticker ticker) {
        this.discovery = discovery;
        this.ticker = ticker;
        this.registry = registry;
        this.instanceTags = instanceTags;
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry != null ? openTelemetry.getTracer("io.mesh4j.client") : null;
        this.accessLogLevel = accessLogLevel;
    }

    CallScope startCall(ServiceState service, Request request) {
        boolean logging = accessLogLevel != null && accessLog.isEnabledForLevel(accessLogLevel);
        if (registry == null && tracer == null && !logging) {
            return CallScope.NOOP;
        }
        return new RecordingCallScope(this, service, request, logging);
    }

    /** Registers the per-service gauges. */
    void serviceOpened(ServiceState service) {
        if (registry == null) {
            return;
        }
        serviceMeters.add(Gauge.builder(ACTIVE, service, ServiceState::activeCalls)
                .description("Calls to the service in flight")
                .tag("service", service.name())
                .register(registry));
        serviceMeters.add(Gauge.builder(RETRY_BUDGET, service, s -> s.retryPolicy().budget().balance())
                .description("Retries the service's retry budget allows right now")
                .tag("service", service.name())
                .register(registry));
        CircuitBreaker breaker = service.guard().circuitBreaker();
        if (breaker != null) {
            for (CircuitBreaker.State state : List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN,
                    CircuitBreaker.State.HALF_OPEN)) {
                serviceMeters.add(Gauge.builder(CIRCUIT_STATE, breaker, b -> b.getState() == state ? 1 : 0)
                        .description("1 for the state the service's circuit breaker is in, else 0")
                        .tag("service", service.name())
                        .tag("state", state.name().toLowerCase(java.util.Locale.ROOT))
                        .register(registry));
            }
        }
        ServiceDiscovery source = discovery;
        if (source != null) {
            serviceMeters.add(Gauge.builder(STALENESS, source, d -> {
                Duration staleness = d.staleness(service.name());
                return staleness == null ? Double.NaN : staleness.toNanos() / 1e9;
            })
                    .description("Seconds since discovery last had a good answer for the service")
                    .baseUnit("seconds")
                    .tag("service", service.name())
                    .register(registry));
        }
        instanceGauge(service, "total", BalancerStats::instances);
        instanceGauge(service, "healthy", BalancerStats::healthy);
        instanceGauge(service, "ejected", BalancerStats::ejected);
        instanceGauge(service, "failing_health_checks", BalancerStats::failingHealthChecks);
    }

    private void instanceGauge(ServiceState service, String state, ToDoubleFunction<BalancerStats> count) {
        serviceMeters.add(Gauge.builder(INSTANCES, service, s -> count.applyAsDouble(s.balancerStats()))
                .description("Instances of the service by state, as the balancer sees them")
                .tag("service", service.name())
                .tag("state", state)
                .register(registry));
    }

    void recordCall(ServiceState service, String method, int status, CallOutcome outcome, long nanos) {
        if (registry != null) {
            service.meters().callTimer(registry, method, status, outcome).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    void recordAttempt(ServiceState service, String instance, AttemptKind kind, AttemptOutcome outcome) {
        if (registry != null) {
            service.meters().attemptCounter(registry, instanceTags ? instance : "", kind, outcome).increment();
        }
    }

    Ticker ticker() {
        return ticker;
    }

    boolean metricsEnabled() {
        return registry != null;
    }

    @Nullable
    Tracer tracer() {
        return tracer;
    }

    @Nullable
    OpenTelemetry openTelemetry() {
        return openTelemetry;
    }

    Logger accessLog() {
        return accessLog;
    }

    @Nullable
    Level accessLogLevel() {
        return accessLogLevel;
    }

    /** Removes the per-service gauges, which would otherwise keep reporting a closed client. */
    @Override
    public void close() {
        if (registry != null) {
            serviceMeters.forEach(registry::remove);
        }
        serviceMeters.clear();
    }
}
