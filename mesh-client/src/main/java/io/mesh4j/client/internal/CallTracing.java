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
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutorService;
import okhttp3.Handshake;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The client's OpenTelemetry tracing: an INTERNAL span for each logical call (a child of the caller's current
 * context) with one CLIENT span per attempt below it, several at once when a call is hedged, whose context is
 * injected into the attempt's headers ({@code traceparent} with the W3C propagator). The logical span is INTERNAL
 * because OpenTelemetry's HTTP conventions make each try, not the whole call, a CLIENT span. URLs are recorded
 * without user info; the values of query parameters that commonly carry secrets are replaced with
 * {@code REDACTED}.
 *
 * <p>This class and its nested classes are the only ones that touch OpenTelemetry types at run time, and they are
 * loaded only when tracing is configured: OpenTelemetry is an optional dependency of the client.
 *
 * <p>Thread-safe; a {@link CallSpan} belongs to the thread running its call.
 */
public final class CallTracing {

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
    private static final AttributeKey<String> TLS_PROTOCOL = AttributeKey.stringKey("tls.protocol.name");
    private static final AttributeKey<String> TLS_VERSION = AttributeKey.stringKey("tls.protocol.version");
    private static final AttributeKey<String> TLS_CIPHER = AttributeKey.stringKey("tls.cipher");
    private static final AttributeKey<String> TLS_SERVER_SUBJECT = AttributeKey.stringKey("tls.server.subject");
    private static final AttributeKey<String> MESH_PEER_IDENTITY = AttributeKey.stringKey("mesh.tls.peer_identity");

    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;

    CallTracing(OpenTelemetry openTelemetry) {
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry.getTracer("io.mesh4j.client");
    }

    /** {@code executor} running each task in the context current when it was submitted, so spans continue traces. */
    public static ExecutorService contextPropagating(ExecutorService executor) {
        return Context.taskWrapping(executor);
    }

    /** Starts the span of a logical call to {@code service}, in the caller's current context. */
    CallSpan startCall(ServiceState service, Request request) {
        Context current = Context.current();
        Span span = tracer.spanBuilder(request.method())
                .setSpanKind(SpanKind.INTERNAL)
                .setParent(current)
                .setAttribute(METHOD, request.method())
                .setAttribute(URL, UrlRedaction.redact(request.url()))
                .setAttribute(SERVER_ADDRESS, service.name())
                .setAttribute(MESH_SERVICE, service.name())
                .setAttribute(MESH_BALANCER, service.settings().balancer().name())
                .startSpan();
        return new CallSpan(service, request.method(), span, current.with(span));
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

    /** The span of one logical call, the parent of its attempts' spans. */
    final class CallSpan {
        private final ServiceState service;
        private final String method;
        private final Span span;
        private final Context context;

        private CallSpan(ServiceState service, String method, Span span, Context context) {
            this.service = service;
            this.method = method;
            this.span = span;
            this.context = context;
        }

        /**
         * Starts the CLIENT span of the {@code number}th attempt, to {@code instance} at {@code url}, and injects its
         * context into the attempt's headers.
         */
        AttemptSpan attempt(Request.Builder attempt, ServiceInstance instance, HttpUrl url, int number,
                AttemptKind kind) {
            Span attemptSpan = tracer.spanBuilder(method)
                    .setSpanKind(SpanKind.CLIENT)
                    .setParent(context)
                    .setAttribute(METHOD, method)
                    .setAttribute(URL, UrlRedaction.redact(url))
                    .setAttribute(SERVER_ADDRESS, instance.host())
                    .setAttribute(SERVER_PORT, (long) instance.port())
                    .setAttribute(MESH_SERVICE, service.name())
                    .setAttribute(MESH_INSTANCE, instance.id())
                    .setAttribute(MESH_ATTEMPT_KIND, kind.tag())
                    .startSpan();
            if (number > 1) {
                attemptSpan.setAttribute(RESEND_COUNT, (long) (number - 1));
            }
            openTelemetry.getPropagators().getTextMapPropagator()
                    .inject(context.with(attemptSpan), attempt, (builder, key, value) -> builder.header(key, value));
            return new AttemptSpan(attemptSpan);
        }

        /** Ends the call's span after {@code attempts} attempts. */
        void end(@Nullable Response response, @Nullable Throwable failure, CallOutcome outcome, int attempts) {
            span.setAttribute(MESH_ATTEMPTS, (long) attempts);
            if (response == null && failure == null) {
                span.setStatus(StatusCode.ERROR);
                span.setAttribute(ERROR_TYPE, outcome.tag());
            }
            finish(span, response, failure);
        }
    }

    /** The CLIENT span of one attempt. */
    static final class AttemptSpan {
        private final Span span;

        private AttemptSpan(Span span) {
            this.span = span;
        }

        /** Ends the span; an attempt that did not run its course is marked with its outcome as error type. */
        void end(@Nullable Response response, @Nullable Throwable failure, AttemptOutcome outcome) {
            if (!outcome.completed()) {
                span.setAttribute(ERROR_TYPE, outcome.tag());
            }
            Handshake handshake = response == null ? null : response.handshake();
            if (handshake != null) {
                tls(handshake);
            }
            finish(span, response, failure);
        }

        /**
         * The TLS of the attempt's connection, as OpenTelemetry's semantic conventions name it, and the peer's
         * identity: its SPIFFE ID, else its first DNS name.
         */
        private void tls(Handshake handshake) {
            String version = handshake.tlsVersion().javaName();
            span.setAttribute(TLS_PROTOCOL, "tls");
            span.setAttribute(TLS_VERSION, version.startsWith("TLSv") ? version.substring(4) : version);
            span.setAttribute(TLS_CIPHER, handshake.cipherSuite().javaName());
            if (!handshake.peerCertificates().isEmpty() && handshake.peerCertificates().get(0)
                    instanceof X509Certificate) {
                X509Certificate peer = (X509Certificate) handshake.peerCertificates().get(0);
                span.setAttribute(TLS_SERVER_SUBJECT, peer.getSubjectX500Principal().getName());
                String identity = null;
                for (String name : PeerIdentity.presented(peer)) {
                    if (name.startsWith("URI:spiffe://")) {
                        identity = name.substring(4);
                        break;
                    }
                    if (identity == null && name.startsWith("DNS:")) {
                        identity = name.substring(4);
                    }
                }
                if (identity != null) {
                    span.setAttribute(MESH_PEER_IDENTITY, identity);
                }
            }
        }
    }
}
