package io.mesh4j.client.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.mesh4j.api.ServiceDiscovery;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.BalancerStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The client's Micrometer meters: see {@link Telemetry} for their names and tags. This class and
 * {@link ServiceMeters} are the only ones that touch Micrometer types at run time, and they are loaded only when a
 * meter registry is configured: Micrometer is an optional dependency of the client.
 *
 * <p>Thread-safe.
 */
final class CallMetrics implements AutoCloseable {

    private final MeterRegistry registry;
    private final boolean instanceTags;
    @Nullable
    private final ServiceDiscovery discovery;
    private final List<Meter> serviceGauges = new CopyOnWriteArrayList<>();

    CallMetrics(MeterRegistry registry, boolean instanceTags, @Nullable ServiceDiscovery discovery) {
        this.registry = registry;
        this.instanceTags = instanceTags;
        this.discovery = discovery;
    }

    void policyUpdate(String source, boolean applied) {
        registry.counter(Telemetry.POLICY_UPDATES, "source", source, "result", applied ? "applied" : "rejected")
                .increment();
    }

    void tlsFailure(String service, String reason) {
        registry.counter(Telemetry.TLS_FAILURES, "service", service, "reason", reason).increment();
    }

    void tlsReload(String service, String result) {
        registry.counter(Telemetry.TLS_RELOADS, "service", service, "result", result).increment();
    }

    void mirrorCopy(String service, String result) {
        registry.counter(Telemetry.MIRRORS, "service", service, "result", result).increment();
    }

    /** Registers the per-service gauges and the service's meter cache. */
    void serviceOpened(ServiceState service) {
        meters(service);
        serviceGauges.add(Gauge.builder(Telemetry.ACTIVE, service, ServiceState::activeCalls)
                .description("Calls to the service in flight")
                .tag("service", service.name())
                .register(registry));
        serviceGauges.add(Gauge.builder(Telemetry.RETRY_BUDGET, service, s -> s.retryPolicy().budget().balance())
                .description("Retries the service's retry budget allows right now")
                .tag("service", service.name())
                .register(registry));
        CircuitBreaker breaker = service.guard().circuitBreaker();
        if (breaker != null) {
            for (CircuitBreaker.State state : List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN,
                    CircuitBreaker.State.HALF_OPEN)) {
                serviceGauges.add(Gauge.builder(Telemetry.CIRCUIT_STATE, breaker, b -> b.getState() == state ? 1 : 0)
                        .description("1 for the state the service's circuit breaker is in, else 0")
                        .tag("service", service.name())
                        .tag("state", state.name().toLowerCase(Locale.ROOT))
                        .register(registry));
            }
        }
        ServiceDiscovery source = discovery;
        if (source != null) {
            serviceGauges.add(Gauge.builder(Telemetry.STALENESS, source, d -> {
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
        serviceGauges.add(Gauge.builder(Telemetry.INSTANCES, service, s -> count.applyAsDouble(s.balancerStats()))
                .description("Instances of the service by state, as the balancer sees them")
                .tag("service", service.name())
                .tag("state", state)
                .register(registry));
    }

    /** The service's meter cache, made on first use (a race makes two; Micrometer keeps one meter per id). */
    private ServiceMeters meters(ServiceState service) {
        ServiceMeters meters = service.meters();
        if (meters == null) {
            meters = new ServiceMeters(service.name());
            service.meters(meters);
        }
        return meters;
    }

    void recordCall(ServiceState service, String method, int status, CallOutcome outcome, long nanos) {
        meters(service).callTimer(registry, method, status, outcome).record(nanos, TimeUnit.NANOSECONDS);
    }

    void recordAttempt(ServiceState service, String instance, AttemptKind kind, AttemptOutcome outcome) {
        meters(service).attemptCounter(registry, instanceTags ? instance : "", kind, outcome).increment();
    }

    /** Removes the per-service gauges, which would otherwise keep reporting a closed client. */
    @Override
    public void close() {
        serviceGauges.forEach(registry::remove);
        serviceGauges.clear();
    }
}
