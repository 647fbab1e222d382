package io.mesh4j.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.StaticDiscovery;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A whole GET over loopback to one JDK {@code HttpServer} that answers at once, through bare OkHttp and through each
 * way of using the mesh with its default settings: what the mesh adds to a real call, with OkHttp's own work
 * included (the mesh's event listener and network interceptor, the attempt's call), where
 * {@link InterceptorBenchmark} measures the mesh against a chain that answers at once. The load scenario
 * "overhead" measures the same calls' latency percentiles and CPU next to an nginx sidecar.
 *
 * <p>{@code path}: {@code bare} (a plain {@code OkHttpClient} to the instance's address), {@code newCall}
 * ({@code MeshClient.newCall} to {@code http://orders/}), {@code okHttpClient} ({@code MeshClient.okHttpClient()}),
 * {@code interceptor} (the mesh interceptor on another client).
 *
 * <p>Run from the repository root (allocation is part of the result):
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -jar mesh-benchmarks/target/benchmarks.jar LoopbackCallBenchmark -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LoopbackCallBenchmark {

    private static final byte[] BODY = "ok".getBytes(StandardCharsets.US_ASCII);

    @Param({"bare", "newCall", "okHttpClient", "interceptor"})
    public String path;

    private HttpServer server;
    private ExecutorService serverThreads;
    private MeshClient mesh;
    private Call.Factory calls;
    private Request request;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        serverThreads = Executors.newFixedThreadPool(2);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, BODY.length);
                try (OutputStream body = exchange.getResponseBody()) {
                    body.write(BODY);
                }
            }
        });
        server.setExecutor(serverThreads);
        server.start();
        int port = server.getAddress().getPort();
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(ServiceInstance.builder("orders", "127.0.0.1", port).build()))
                .build();
        switch (path) {
            case "bare":
                calls = new OkHttpClient();
                request = new Request.Builder().url("http://127.0.0.1:" + port + "/items").build();
                return;
            case "newCall":
                calls = mesh;
                break;
            case "okHttpClient":
                calls = mesh.okHttpClient();
                break;
            case "interceptor":
                calls = new OkHttpClient.Builder().addInterceptor(mesh.interceptor()).build();
                break;
            default:
                throw new IllegalArgumentException("path: " + path);
        }
        request = new Request.Builder().url("http://orders/items").build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        mesh.close();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Benchmark
    public int call() throws IOException {
        try (Response response = calls.newCall(request).execute()) {
            response.body().bytes();
            return response.code();
        }
    }
}
