package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.RequestTooLargeException;
import io.mesh4j.api.ServiceInstance;
import java.io.IOException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** Requests far over the usual header count or size fail before any attempt; the backend reads nothing of them. */
class RequestLimitsTest {

    private static Request withHeaders(int count, int valueLength) {
        Request.Builder request = new Request.Builder().url("http://orders/v1/items");
        for (int i = 0; i < count; i++) {
            request.addHeader("x-h" + i, "v".repeat(valueLength));
        }
        return request.build();
    }

    @Test
    void shouldRefuseBeforeSendingWhenHeadersAreTooManyOrTooLarge() throws IOException {
        try (MockWebServer server = Backends.serve(request -> new MockResponse.Builder().body("ok").build());
                MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(
                        ServiceInstance.builder("orders", "127.0.0.1", server.getPort()).build())).build()) {
            try (Response response = mesh.newCall(withHeaders(99, 10)).execute()) {
                assertThat(response.code()).as("99 headers fit the default 100").isEqualTo(200);
            }
            assertThatThrownBy(() -> mesh.newCall(withHeaders(101, 10)).execute())
                    .isInstanceOf(RequestTooLargeException.class)
                    .hasMessage("Request to service 'orders' refused before sending: 101 headers (expected: at most"
                            + " 100)");
            assertThatThrownBy(() -> mesh.newCall(withHeaders(1, 70_000)).execute())
                    .isInstanceOf(RequestTooLargeException.class)
                    .hasMessageContaining("headers of 70008 bytes (expected: at most 61440)");
            OkHttpClient own = new OkHttpClient.Builder().addInterceptor(mesh.interceptor()).build();
            assertThatThrownBy(() -> own.newCall(withHeaders(101, 10)).execute())
                    .isInstanceOf(RequestTooLargeException.class);
            assertThatThrownBy(() -> Calls.enqueue(mesh.newCall(withHeaders(101, 10))).join())
                    .hasCauseInstanceOf(RequestTooLargeException.class);
            assertThat(server.getRequestCount()).as("only the call that fit").isEqualTo(1);
        }
    }

    @Test
    void shouldTakeLargerHeadersWhenLimitsAreRaised() throws IOException {
        try (MockWebServer server = Backends.serve(request -> new MockResponse.Builder().body("ok").build());
                MeshClient mesh = MeshClient.builder().maxRequestHeaders(300, 128 * 1024)
                        .discovery(StaticDiscovery.of(
                                ServiceInstance.builder("orders", "127.0.0.1", server.getPort()).build())).build()) {
            try (Response response = mesh.newCall(withHeaders(200, 10)).execute()) {
                assertThat(response.code()).isEqualTo(200);
            }
            assertThat(server.getRequestCount()).isEqualTo(1);
        }
        assertThatThrownBy(() -> MeshClient.builder().maxRequestHeaders(0, 4096))
                .hasMessage("maxRequestHeaders: 0 (expected: 1 to 10000)");
        assertThatThrownBy(() -> MeshClient.builder().maxRequestHeaders(100, 10))
                .hasMessage("maxRequestHeaderBytes: 10 (expected: 1024 to 1048576)");
    }
}
