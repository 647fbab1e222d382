package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceDiscovery;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import okhttp3.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The client's telemetry: Micrometer meters, OpenTelemetry spans and the SLF4J access log, each optional. It hands
 * every call a {@link CallScope}: the shared do-nothing scope when nothing would be recorded, else a
 * {@link RecordingCallScope}. Micrometer and OpenTelemetry are optional dependencies: their types appear here only
 * in signatures, and the classes that use them ({@link CallMetrics}, {@link CallTracing}) are loaded only when a
 * registry or an OpenTelemetry instance is given, so a client configured with neither runs without either library.
 *
 * <p>Meters: {@value #CALLS} (timer per logical call; tags {@code service}, {@code method}, {@code status},
 * {@code outcome}), {@value #ATTEMPTS} (counter per attempt; tags {@code service}, {@code instance} unless turned
 * off, {@code kind}: {@code first}, {@code retry} or {@code hedge}; {@code outcome}), and per service the gauges {@value #ACTIVE} (calls in flight) and
 * {@value #INSTANCES} (tag {@code state}: {@code total}, {@code healthy}, {@code ejected},
 * {@code failing_health_checks}), {@value #RETRY_BUDGET} (retries the budget allows now) and, with a circuit
 * breaker, {@value #CIRCUIT_STATE} (tag {@code state}: 1 for the breaker's state, 0 for the others), and
 * {@value #STALENESS} (seconds since discovery last answered; NaN for discovery that is never stale). Per client:
 * {@value #POLICY_UPDATES} (counter per policy update; tags {@code source} and {@code result}: {@code applied} or
 * {@code rejected}) and {@value #MIRRORS} (counter per mirror copy; tags {@code service} and {@code result}:
 * {@code answered}, {@code failed} or {@code dropped}), and {@value #TLS_RELOADS} (counter per change of a service's
 * TLS files; tags {@code service} and {@code result}: {@code applied} or {@code rejected}) and {@value #TLS_FAILURES}
 * (counter per attempt that failed in TLS; tags {@code service} and {@code reason}: {@code identity},
 * {@code expired}, {@code untrusted}, {@code handshake} or {@code protocol}).
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
    static final String POLICY_UPDATES = "mesh.policy.updates";
    static final String MIRRORS = "mesh.client.mirrors";
    static final String TLS_RELOADS = "mesh.tls.reloads";
    static final String TLS_FAILURES = "mesh.tls.failures";
    static final String ACCESS_LOGGER = "io.mesh4j.access";

    @Nullable
    private final CallMetrics metrics;
    @Nullable
    private final CallTracing tracing;
    @Nullable
    private final Level accessLogLevel;
    private final Logger accessLog = LoggerFactory.getLogger(ACCESS_LOGGER);
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
        this.metrics = registry == null ? null : new CallMetrics(registry, instanceTags, discovery);
        this.tracing = openTelemetry == null ? null : new CallTracing(openTelemetry);
        this.accessLogLevel = accessLogLevel;
        this.ticker = ticker;
    }

    CallScope startCall(ServiceState service, Request request) {
        boolean logging = accessLogLevel != null && accessLog.isEnabledForLevel(accessLogLevel);
        if (metrics == null && tracing == null && !logging) {
            return CallScope.NOOP;
        }
        return new RecordingCallScope(this, service, request, logging);
    }

    /** Registers the per-service gauges, when metrics are on. */
    void serviceOpened(ServiceState service) {
        if (metrics != null) {
            metrics.serviceOpened(service);
        }
    }

    /** Counts a policy update from {@code source}, when metrics are on. */
    void policyUpdate(String source, boolean applied) {
        if (metrics != null) {
            metrics.policyUpdate(source, applied);
        }
    }

    /** Counts a mirror copy to {@code service} by its result, when metrics are on. */
    void mirrorCopy(String service, String result) {
        if (metrics != null) {
            metrics.mirrorCopy(service, result);
        }
    }

    /** Counts a change of {@code service}'s TLS files by its result, when metrics are on. */
    void tlsReload(String service, String result) {
        if (metrics != null) {
            metrics.tlsReload(service, result);
        }
    }

    Ticker ticker() {
        return ticker;
    }

    @Nullable
    CallMetrics metrics() {
        return metrics;
    }

    @Nullable
    CallTracing tracing() {
        return tracing;
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
        if (metrics != null) {
            metrics.close();
        }
    }
}
