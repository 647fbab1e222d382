package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routing policy from a watched JSON file: applied at start and on change, an invalid file changes nothing. */
class PolicyFileTest {

    private static final Duration CHECK = Duration.ofMillis(20);

    @TempDir
    Path directory;

    private VersionedBackends backends;

    @BeforeEach
    void startBackends() {
        backends = new VersionedBackends().add("v1-a", "v1").add("v2-a", "v2");
    }

    @AfterEach
    void stopBackends() {
        backends.close();
    }

    /** A document that sends every call of {@code orders} to subset {@code version}. */
    private static String allTo(String version) {
        return "{\"services\": {\"orders\": {\"subsets\": {\"v1\": {\"metadata\": {\"version\": \"v1\"}},"
                + " \"v2\": {\"metadata\": {\"version\": \"v2\"}}},"
                + " \"routes\": [{\"name\": \"all\", \"to\": \"" + version + "\"}]}}}";
    }

    /** Replaces the file's content at once, as a deployment tool would. */
    private void write(Path file, String content) throws IOException {
        Path next = Files.writeString(directory.resolve("next.json"), content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String call(MeshClient mesh) throws IOException {
        try (Response response = mesh.newCall(new Request.Builder().url("http://orders/x").build()).execute()) {
            return response.body().string();
        }
    }

    private static double updates(SimpleMeterRegistry meters, String result) {
        return meters.find("mesh.policy.updates").tags("source", "file", "result", result).counters().stream()
                .mapToDouble(counter -> counter.count()).sum();
    }

    @Test
    void shouldFollowFileWhenItChangesAndKeepPolicyWhenItIsInvalidOrGone() throws IOException {
        Path file = directory.resolve("policy.json");
        write(file, allTo("v1"));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (PolicyFile source = PolicyFile.builder(file).checkInterval(CHECK).build();
                MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(backends.instances()))
                        .meterRegistry(meters).policySource(source).build()) {
            assertThat(call(mesh)).as("read before build() returns").isEqualTo("v1-a");

            write(file, allTo("v2"));
            await().atMost(Duration.ofSeconds(5)).until(() -> call(mesh).equals("v2-a"));
            assertThat(updates(meters, "applied")).isEqualTo(2);

            write(file, allTo("v1").replace("\"to\"", "\"too\""));
            await().atMost(Duration.ofSeconds(5)).until(() -> updates(meters, "rejected") == 1);
            write(file, "{\"services\": {\"orders\": ");
            await().atMost(Duration.ofSeconds(5)).until(() -> updates(meters, "rejected") == 2);
            Files.delete(file);
            for (int i = 0; i < 10; i++) {
                assertThat(call(mesh)).isEqualTo("v2-a");
            }
            assertThat(mesh.policy().service("orders").routes().get(0).subsets()).containsExactly("v2");

            write(file, allTo("v1"));
            await().atMost(Duration.ofSeconds(5)).until(() -> call(mesh).equals("v1-a"));
            assertThat(updates(meters, "applied")).isEqualTo(3);
        }
    }

    @Test
    void shouldDeliverOnlyChangedContentWhenFileIsRewrittenAlike() throws IOException {
        Path file = directory.resolve("policy.json");
        write(file, allTo("v1"));
        List<String> delivered = new CopyOnWriteArrayList<>();
        try (PolicyFile source = PolicyFile.builder(file).checkInterval(CHECK).build()) {
            try (var subscription = source.subscribe(delivered::add)) {
                assertThat(delivered).hasSize(1);
                write(file, allTo("v1"));
                write(file, allTo("v2"));
                await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 2);
                write(file, allTo("v2"));
                write(file, allTo("v1"));
                await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 3);
            }
            assertThat(delivered).containsExactly(allTo("v1"), allTo("v2"), allTo("v1"));
        }
    }

    @Test
    void shouldEndItsThreadWhenLastSubscriptionIsClosed() throws IOException {
        Path file = directory.resolve("policy.json");
        write(file, allTo("v1"));
        List<String> delivered = new CopyOnWriteArrayList<>();
        PolicyFile source = PolicyFile.builder(file).checkInterval(CHECK).build();
        source.subscribe(delivered::add).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().equals("mesh4j-policy-file")));
        source.close();
        assertThatThrownBy(() -> source.subscribe(delivered::add)).isInstanceOf(IllegalStateException.class);
        assertThat(delivered).hasSize(1);
    }

    @Test
    void shouldNameFieldWhenCheckIntervalIsOutOfRange() {
        assertThatThrownBy(() -> PolicyFile.builder(Path.of("p.json")).checkInterval(Duration.ofMillis(1)))
                .hasMessage("checkInterval: 1ms (expected: 10ms to 1h)");
    }
}
