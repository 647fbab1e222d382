package io.mesh4j.client;

import io.mesh4j.api.ServiceInstance;
import java.io.IOException;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.event.Level;

/**
 * One call through a mesh client configured with neither Micrometer nor OpenTelemetry, but with the access log on,
 * so that the per-call recording runs too. {@link OptionalTelemetryTest} loads this class where neither library is
 * on the class path.
 */
public final class WithoutTelemetryLibraries {

    private WithoutTelemetryLibraries() {
    }

    /** Calls {@code http://orders/x} with one instance at {@code host:port}; returns the answer's body. */
    public static String call(String host, int port) throws IOException {
        StaticDiscovery discovery = StaticDiscovery.of(ServiceInstance.builder("orders", host, port).build());
        try (MeshClient mesh = MeshClient.builder().discovery(discovery).accessLogLevel(Level.WARN).build();
                Response response = mesh.okHttpClient().newCall(new Request.Builder().url("http://orders/x").build())
                        .execute()) {
            return response.body().string();
        }
    }
}
