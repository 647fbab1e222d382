package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Locale;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.event.Level;

/**
 * Records one call: a timer sample and an access-log line at the end, an attempt counter per attempt, and, with
 * tracing on, an INTERNAL span for the logical call (a child of the caller's current context) with one CLIENT span
 * per attempt below it (several at once when a call is hedged), whose context is injected into the attempt's headers ({@code traceparent} with the W3C
 * propagator). The logical span is INTERNAL because OpenTelemetry's HTTP conventions make each try, not the whole
 * call, a CLIENT span. URLs are recorded without user info; the query is recorded but the values of parameters
 * that commonly carry secrets are replaced with {@code REDACTED}.
 *
 * <p>Not thread-safe: one call's thread drives it.
 */
final class RecordingCallScope implements CallScope {

    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> URL = AttributeKey.stringKey("url.full");
    private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<Long> RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final AttributeKey<String> MESH_SERVICE = AttributeKey.stringKey("mesh.service");
    private static final AttributeKey<String> MESH_INSTANCE = AttributeKey.stringKey("mesh.instance.id");
    private static final AttributeKey<String> MESH_BALANCER = AttributeKey.stringKey("mesh.balancer");
    private static final AttributeKey<String> MESH_ATTEMPT_KIND = AttributeKey.stringKey("mesh.attempt.kind");
    private static final AttributeKey<Long> MESH_ATTEMPTS = AttributeKey.longKey("mesh.attempts");

    private final Telemetry telemetry;
    private final ServiceState service;
    private final Request request;
    private final boolean logging;
    private final long startNanos;
    @Nullable
    private final Span callSpan;
    /** The caller's context with the call span, the parent of every attempt span. */
    @Nullable
    private final Context callContext;
    @Nullable
    private ServiceInstance answeredBy;
    private int attempts;

    RecordingCallScope(Telemetry telemetry, ServiceState service, Request request, boolean logging) {
        this.telemetry = telemetry;
        this.service = service;
        this.request = request;
        this.logging = logging;
        this.startNanos = telemetry.ticker().read();
        Tracer tracer = telemetry.tracer();
        Context current = tracer == null ? null : Context.current();
        this.callSpan = tracer == null ? null : tracer.spanBuilder(request.method())
                .setSpanKind(SpanKind.INTERNAL)
                .setParent(current)
                .setAttribute(METHOD, request.method())
                .setAttribute(URL, UrlRedaction.redact(request.url()))
                .setAttribute(SERVER_ADDRESS, service.name())
                .setAttribute(MESH_SERVICE, service.name())
                .setAttribute(MESH_BALANCER, service.settings().balancer().name())
                .startSpan();
        this.callContext = callSpan == null ? null : current.with(callSpan);
        if (telemetry.metricsEnabled()) {
            service.callStarted();
        }
    }

    @Override
    public AttemptScope beforeAttempt(Request.Builder attempt, ServiceInstance instance, HttpUrl url, int number,
            AttemptKind kind) {
        attempts = number;
        Tracer tracer = telemetry.tracer();
        OpenTelemetry openTelemetry = telemetry.openTelemetry();
        Context parent = callContext;
        if (tracer == null || openTelemetry == null || parent == null) {
            return new Attempt(instance, kind, null);
        }
        Span span = tracer.spanBuilder(request.method())
                .setSpanKind(SpanKind.CLIENT)
                .setParent(parent)
                .setAttribute(METHOD, request.method())
                .setAttribute(URL, UrlRedaction.redact(url))
                .setAttribute(SERVER_ADDRESS, instance.host())
                .setAttribute(SERVER_PORT, (long) instance.port())
                .setAttribute(MESH_SERVICE, service.name())
                .setAttribute(MESH_INSTANCE, instance.id())
                .setAttribute(MESH_ATTEMPT_KIND, kind.tag())
                .startSpan();
        if (number > 1) {
            span.setAttribute(RESEND_COUNT, (long) (number - 1));
        }
        openTelemetry.getPropagators().getTextMapPropagator()
                .inject(parent.with(span), attempt, (builder, key, value) -> builder.header(key, value));
        return new Attempt(instance, kind, span);
    }

    /** One attempt: its counter and, with tracing, its CLIENT span. */
    private final class Attempt implements AttemptScope {
        private final ServiceInstance instance;
        private final AttemptKind kind;
        @Nullable
        private final Span span;

        Attempt(ServiceInstance instance, AttemptKind kind, @Nullable Span span) {
            this.instance = instance;
            this.kind = kind;
            this.span = span;
        }

        @Override
        public void end(@Nullable Response response, @Nullable Throwable failure, AttemptOutcome outcome) {
            if (outcome.completed()) {
                answeredBy = instance;
            }
            telemetry.recordAttempt(service, instance.id(), kind, outcome);
            if (span != null) {
                if (!outcome.completed()) {
                    span.setAttribute(ERROR_TYPE, outcome.tag());
                }
                finish(span, response, failure);
            }
        }
    }

    @Override
    public void end(@Nullable Response response, @Nullable Throwable failure, CallOutcome outcome) {
        long nanos = telemetry.ticker().read() - startNanos;
        if (telemetry.metricsEnabled()) {
            service.callEnded();
        }
        telemetry.recordCall(service, request.method(), response != null ? response.code() : 0, outcome, nanos);
        if (callSpan != null) {
            callSpan.setAttribute(MESH_ATTEMPTS, (long) attempts);
            if (response == null && failure == null) {
                callSpan.setStatus(StatusCode.ERROR);
                callSpan.setAttribute(ERROR_TYPE, outcome.tag());
            }
            finish(callSpan, response, failure);
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

    private static void finish(Span span, @Nullable Response response, @Nullable Throwable failure) {
        if (response != null) {
            span.setAttribute(STATUS, (long) response.code());
            if (response.code() >= 500) {
                span.setStatus(StatusCode.ERROR);
                span.setAttribute(ERROR_TYPE, String.valueOf(response.code()));
            }
        } else if (failure != null) {
            span.setStatus(StatusCode.ERROR);
            span.setAttribute(ERROR_TYPE, failure.getClass().getName());
            span.recordException(failure);
        }
        span.end();
    }
}
