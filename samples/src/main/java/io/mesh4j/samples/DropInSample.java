package io.mesh4j.samples;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.StaticDiscovery;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The drop-in path: an {@link OkHttpClient} the application already has (its timeouts, its own interceptor) gains
 * the mesh. Handed to {@link MeshClient.Builder#okHttpClient}, it keeps everything it had: calls to
 * {@code http://orders/...} go to the service's instances, calls to any other host go on as before, and the
 * application's interceptor runs for both.
 *
 * <p>Run it from the repository root:
 * {@code mvn -B -q -Pdemo -pl samples -am verify -DskipTests -Ddemo.main=io.mesh4j.samples.DropInSample}.
 */
public final class DropInSample {

    private DropInSample() {
    }

    public static void main(String[] args) throws IOException {
        run(System.out);
    }

    /** Runs the sample, printing to {@code out}; returns the answers in the order they came. */
    static List<String> run(PrintStream out) throws IOException {
        LoopbackBackend first = new LoopbackBackend("orders-1");
        LoopbackBackend second = new LoopbackBackend("orders-2");
        LoopbackBackend elsewhere = new LoopbackBackend("a host outside the mesh");
        AtomicInteger intercepted = new AtomicInteger();
        OkHttpClient existing = new OkHttpClient.Builder()
                .callTimeout(Duration.ofSeconds(5))
                .addInterceptor(chain -> {
                    intercepted.incrementAndGet();
                    return chain.proceed(chain.request().newBuilder().header("X-App", "sample").build());
                })
                .build();
        StaticDiscovery discovery = StaticDiscovery.of(
                ServiceInstance.builder("orders", "127.0.0.1", first.port()).id("orders-1").build(),
                ServiceInstance.builder("orders", "127.0.0.1", second.port()).id("orders-2").build());
        try (MeshClient mesh = MeshClient.builder().discovery(discovery).okHttpClient(existing).build()) {
            OkHttpClient http = mesh.okHttpClient();
            List<String> answers = List.of(
                    get(http, "http://orders/v1/items"),
                    get(http, "http://orders/v1/items"),
                    get(http, "http://127.0.0.1:" + elsewhere.port() + "/"));
            out.println("Your OkHttpClient, with the mesh added through MeshClient.builder().okHttpClient(it):");
            out.println("  http://orders/v1/items   answered by " + answers.get(0) + ", then " + answers.get(1));
            out.println("  http://127.0.0.1:<port>/ answered by " + answers.get(2) + " (passed through)");
            out.println("  your interceptor ran " + intercepted.get() + " times, once per call");
            return answers;
        } finally {
            first.close();
            second.close();
            elsewhere.close();
        }
    }

    private static String get(OkHttpClient http, String url) throws IOException {
        try (Response response = http.newCall(new Request.Builder().url(url).build()).execute()) {
            return response.body().string();
        }
    }
}
