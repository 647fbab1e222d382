package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/** Micrometer and OpenTelemetry are optional: a client that uses neither runs where neither is on the class path. */
class OptionalTelemetryTest {

    private static final List<String> TELEMETRY_JARS = List.of("micrometer", "opentelemetry", "hdrhistogram",
            "latencyutils");

    /** The test class path without the telemetry libraries' jars. */
    private static URL[] classPathWithoutTelemetry() throws MalformedURLException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString().toLowerCase(Locale.ROOT);
            if (TELEMETRY_JARS.stream().noneMatch(name::contains)) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return urls.toArray(URL[]::new);
    }

    @Test
    void shouldCallThroughMeshWhenNeitherMicrometerNorOpenTelemetryIsOnClassPath() throws Exception {
        try (MockWebServer backend = Backends.serve(request -> new MockResponse.Builder()
                .body("answered without telemetry libraries").build());
                URLClassLoader isolated = new URLClassLoader(classPathWithoutTelemetry(),
                        ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry", false, isolated))
                    .isInstanceOf(ClassNotFoundException.class);
            assertThatThrownBy(() -> Class.forName("io.opentelemetry.api.OpenTelemetry", false, isolated))
                    .isInstanceOf(ClassNotFoundException.class);
            Class<?> probe = Class.forName(WithoutTelemetryLibraries.class.getName(), true, isolated);
            assertThat(probe.getClassLoader()).isSameAs(isolated);

            Object body = probe.getMethod("call", String.class, int.class)
                    .invoke(null, backend.getHostName(), backend.getPort());

            assertThat(body).isEqualTo("answered without telemetry libraries");
            assertThat(backend.getRequestCount()).isEqualTo(1);
        }
    }
}
