package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.Nullable;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Sorts TLS failures of attempts into the few reasons an operator acts on, for the
 * {@value Telemetry#TLS_FAILURES} counter: {@code identity} (the peer is not who the settings expect),
 * {@code expired} (a certificate out of its validity), {@code untrusted} (no path to a trusted root),
 * {@code handshake} (any other handshake failure, such as no common protocol version or a refused client
 * certificate) and {@code protocol} (TLS failing after the handshake).
 */
final class TlsFailures {

    private TlsFailures() {
    }

    /** The reason for {@code failure}, or {@code null} when it is no TLS failure. */
    @Nullable
    static String reason(Throwable failure) {
        if (!(failure instanceof SSLException)) {
            return null;
        }
        if (failure instanceof SSLPeerUnverifiedException) {
            return "identity";
        }
        if (causedBy(failure, CertificateExpiredException.class)
                || causedBy(failure, CertificateNotYetValidException.class)) {
            return "expired";
        }
        if (causedBy(failure, CertPathValidatorException.class) || causedBy(failure, CertPathBuilderException.class)) {
            return "untrusted";
        }
        return failure instanceof SSLHandshakeException ? "handshake" : "protocol";
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }
}
