package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import java.util.Locale;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.event.Level;

/**
 * Records one call with whatever the client's {@link Telemetry} has on: a timer sample and an attempt counter per
 * attempt ({@link CallMetrics}), a span for the call and one per attempt ({@link CallTracing}), and an access-log
 * line at the end (never headers or the query).
 *
 * <p>Not thread-safe: one call's thread drives it.
 */
final class RecordingCallScope implements CallScope {

    private final Telemetry telemetry;
    private final ServiceState service;
    private final Request request;
    private final boolean logging;
    private final long startNanos;
    @Nullable
    private final CallMetrics metrics;
    @Nullable
    private final CallTracing.CallSpan span;
    @Nullable
    private ServiceInstance answeredBy;
    private int attempts;

    RecordingCallScope(Telemetry telemetry, ServiceState service, Request request, boolean logging) {
        this.telemetry = telemetry;
        this.service = service;
        this.request = request;
        this.logging = logging;
        this.startNanos = telemetry.ticker().read();
        this.metrics = telemetry.metrics();
        CallTracing tracing = telemetry.tracing();
        this.span = tracing == null ? null : tracing.startCall(service, request);
        if (metrics != null) {
            service.callStarted();
        }
    }

    @Override
    public AttemptScope beforeAttempt(Request.Builder attempt, ServiceInstance instance, HttpUrl url, int number,
            AttemptKind kind) {
        attempts = number;
        return new RecordedAttempt(instance, kind,
                span == null ? null : span.attempt(attempt, instance, url, number, kind));
    }

    /** One attempt: its counter and, with tracing, its span. */
    private final class RecordedAttempt implements AttemptScope {
        private final ServiceInstance instance;
        private final AttemptKind kind;
        @Nullable
        private final CallTracing.AttemptSpan span;

        RecordedAttempt(ServiceInstance instance, AttemptKind kind, @Nullable CallTracing.AttemptSpan span) {
            this.instance = instance;
            this.kind = kind;
            this.span = span;
        }

        @Override
        public void end(@Nullable Response response, @Nullable Throwable failure, AttemptOutcome outcome) {
            if (outcome.completed()) {
                answeredBy = instance;
            }
            if (metrics != null) {
                metrics.recordAttempt(service, instance.id(), kind, outcome);
                String tlsFailure = failure == null ? null : TlsFailures.reason(failure);
                if (tlsFailure != null) {
                    metrics.tlsFailure(service.name(), tlsFailure);
                }
            }
            if (span != null) {
                span.end(response, failure, outcome);
            }
        }
    }

    @Override
    public void end(@Nullable Response response, @Nullable Throwable failure, CallOutcome outcome) {
        long nanos = telemetry.ticker().read() - startNanos;
        if (metrics != null) {
            service.callEnded();
            metrics.recordCall(service, request.method(), response != null ? response.code() : 0, outcome, nanos);
        }
        if (span != null) {
            span.end(response, failure, outcome, attempts);
        }
        if (logging) {
            Level level = telemetry.accessLogLevel();
            telemetry.accessLog().atLevel(level).log(
                    "service={} instance={} method={} path={} status={} outcome={} attempts={} duration_ms={}",
                    service.name(), answeredBy != null ? answeredBy.id() : "-", request.method(),
                    request.url().encodedPath(), response != null ? response.code() : "-", outcome.tag(), attempts,
                    String.format(Locale.ROOT, "%.3f", nanos / 1e6));
        }
    }
}
