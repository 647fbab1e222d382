package io.mesh4j.client.internal;

import io.mesh4j.api.balancer.AttemptOutcome;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Classifies how an OkHttp attempt ended. */
final class AttemptOutcomes {

    private AttemptOutcomes() {
    }

    static AttemptOutcome ofStatus(int code) {
        return code >= 500 ? AttemptOutcome.SERVER_ERROR : AttemptOutcome.SUCCESS;
    }

    /**
     * Classifies a failed attempt. Only failures that prove the request never left are {@code CONNECT_FAILURE}: no
     * connection, or a TLS handshake or peer check that failed (HTTP sends nothing before both succeed); a timeout is
     * always {@code TIMEOUT}, even a connect timeout, because from the exception alone we cannot prove the request
     * was not sent.
     */
    static AttemptOutcome ofFailure(Throwable failure, boolean cancelled) {
        if (cancelled) {
            return AttemptOutcome.CANCELLED;
        }
        if (failure instanceof ConnectException || failure instanceof NoRouteToHostException
                || failure instanceof UnknownHostException || failure instanceof SSLHandshakeException
                || failure instanceof SSLPeerUnverifiedException) {
            return AttemptOutcome.CONNECT_FAILURE;
        }
        if (failure instanceof InterruptedIOException) {
            return AttemptOutcome.TIMEOUT;
        }
        return AttemptOutcome.NETWORK_FAILURE;
    }
}
