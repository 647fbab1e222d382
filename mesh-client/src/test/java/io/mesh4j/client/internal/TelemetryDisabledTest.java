package io.mesh4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.client.ServiceSettings;
import okhttp3.Request;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class TelemetryDisabledTest {

    private final ServiceState service = new ServiceState("orders", ServiceSettings.ofDefaults());
    private final Request request = new Request.Builder().url("http://orders/").build();

    @Test
    void shouldHandOutSharedNoopScopeWhenNothingIsConfigured() {
        Telemetry telemetry = new Telemetry(null, true, null, null);

        assertThat(telemetry.startCall(service, request)).isSameAs(CallScope.NOOP);
        telemetry.serviceOpened(service);
        telemetry.close();
    }

    @Test
    void shouldHandOutNoopScopeWhenAccessLogLevelIsDisabled() {
        Telemetry telemetry = new Telemetry(null, true, null, Level.TRACE);

        assertThat(telemetry.startCall(service, request)).isSameAs(CallScope.NOOP);
    }
}
