package io.mesh4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.balancer.AttemptOutcome;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class AttemptOutcomesTest {

    @Test
    void shouldCountOnlyServerErrorsAsFailuresWhenResponseArrives() {
        assertThat(AttemptOutcomes.ofStatus(200)).isEqualTo(AttemptOutcome.SUCCESS);
        assertThat(AttemptOutcomes.ofStatus(429)).isEqualTo(AttemptOutcome.SUCCESS);
        assertThat(AttemptOutcomes.ofStatus(500)).isEqualTo(AttemptOutcome.SERVER_ERROR);
        assertThat(AttemptOutcomes.ofStatus(503)).isEqualTo(AttemptOutcome.SERVER_ERROR);
    }

    @Test
    void shouldTreatTimeoutsAsPossiblySentWhenClassifyingFailures() {
        assertThat(AttemptOutcomes.ofFailure(new ConnectException("refused"), false))
                .isEqualTo(AttemptOutcome.CONNECT_FAILURE);
        assertThat(AttemptOutcomes.ofFailure(new javax.net.ssl.SSLHandshakeException("untrusted"), false))
                .as("HTTP sends nothing before the handshake").isEqualTo(AttemptOutcome.CONNECT_FAILURE);
        assertThat(AttemptOutcomes.ofFailure(new javax.net.ssl.SSLException("closed while reading"), false))
                .isEqualTo(AttemptOutcome.NETWORK_FAILURE);
        assertThat(AttemptOutcomes.ofFailure(new UnknownHostException("h"), false))
                .isEqualTo(AttemptOutcome.CONNECT_FAILURE);
        assertThat(AttemptOutcomes.ofFailure(new SocketTimeoutException("connect timed out"), false))
                .isEqualTo(AttemptOutcome.TIMEOUT);
        assertThat(AttemptOutcomes.ofFailure(new IOException("unexpected end of stream"), false))
                .isEqualTo(AttemptOutcome.NETWORK_FAILURE);
        assertThat(AttemptOutcomes.ofFailure(new IOException("Canceled"), true))
                .isEqualTo(AttemptOutcome.CANCELLED);
        assertThat(AttemptOutcome.CONNECT_FAILURE.requestNeverSent()).isTrue();
        assertThat(AttemptOutcome.TIMEOUT.requestNeverSent()).isFalse();
    }
}
