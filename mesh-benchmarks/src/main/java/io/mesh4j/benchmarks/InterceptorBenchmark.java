package io.mesh4j.benchmarks;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.MeshInterceptor;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.lb.LoadBalancers;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.internal.http.BridgeInterceptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The mesh interceptor's own cost per call (resolve, pick, rewrite, feedback) against a chain that answers at once,
 * with round robin (see {@code BalancerBenchmark} for what other balancers add) and no telemetry (see
 * {@code TelemetryBenchmark}).
 *
 * <ul>
 *   <li>{@code meshCall}: the same request to {@code http://orders/...} again and again through
 *       {@link MeshInterceptor}: the rewritten URL is remembered, the common case. The chain is that of a client
 *       the mesh did not build (the interceptor added to your own). Each operation is one call as OkHttp makes it
 *       ({@link AnsweringChain#callThrough}): the mesh adds its listener to the call, and the body is read to its
 *       end, which gives the attempt its verdict.</li>
 *   <li>{@code meshCallOnMeshClient}: the same through {@code MeshClient.okHttpClient()}, whose settings the chain
 *       reports.</li>
 *   <li>{@code meshCallUniqueUrls}: 4,096 different URLs in turn, so the remembered rewrites rarely help.</li>
 *   <li>{@code rewrittenRequestOnly}: the baseline for {@code meshCall}: building the rewritten {@link Request}
 *       from a URL built earlier. What {@code meshCall} costs beyond it is resolve, pick and feedback.</li>
 *   <li>{@code fullRewriteOnly}: the baseline for {@code meshCallUniqueUrls}: building URL and request anew with
 *       OkHttp's builders.</li>
 *   <li>{@code passThrough}: a host that is not a mesh service.</li>
 *   <li>{@code meshCallThroughBridge}, {@code meshCallOnMeshClientThroughBridge} and their baseline
 *       {@code bareCallThroughBridge}: the same calls, and a call made straight to the instance's URL, each followed
 *       by what OkHttp runs after the application interceptors of every call, its {@code BridgeInterceptor} (which
 *       adds {@code Host} when the request has none, and the other default headers). The difference is what a mesh
 *       call costs beyond a plain call in a real client, rewritten request included; the mesh's
 *       {@code Host: orders} spares the bridge its own. {@code BridgeInterceptor} is an OkHttp internal class:
 *       these three may need a change with a new OkHttp.</li>
 * </ul>
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -jar mesh-benchmarks/target/benchmarks.jar InterceptorBenchmark -prof gc -f 1 -wi 3 -w 2s -i 5 -r 3s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class InterceptorBenchmark {

    /** Hands the request on unchanged: what stands for the mesh in a plain call. */
    private static final Interceptor PROCEED = chain -> chain.proceed(chain.request());

    @Param({"3", "100"})
    public int instances;

    private MeshClient mesh;
    private MeshInterceptor interceptor;
    private AnsweringChain meshChain;
    private AnsweringChain meshClientChain;
    private AnsweringChain outsideChain;
    private AnsweringChain bridgedMeshChain;
    private AnsweringChain bridgedMeshClientChain;
    private AnsweringChain bridgedBareChain;
    private AnsweringChain[] uniqueChains;
    private int next;
    private Request meshRequest;
    private HttpUrl targetUrl;
    private ServiceInstance target;

    @Setup
    public void setUp() {
        List<ServiceInstance> list = Fixtures.orders(instances);
        target = list.get(0);
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(list))
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build())
                .build();
        interceptor = mesh.interceptor();
        meshRequest = new Request.Builder().url("http://orders/v1/items?q=1").header("X-Request-Id", "r-1").build();
        Request outsideRequest = new Request.Builder().url("http://example.com/v1/items?q=1").build();
        meshChain = Fixtures.answering200(meshRequest);
        meshClientChain = Fixtures.answering200(mesh.okHttpClient(), meshRequest);
        outsideChain = Fixtures.answering200(outsideRequest);
        Interceptor bridge = new BridgeInterceptor();
        bridgedMeshChain = Fixtures.answering200(meshRequest).through(bridge);
        bridgedMeshClientChain = Fixtures.answering200(mesh.okHttpClient(), meshRequest).through(bridge);
        uniqueChains = new AnsweringChain[4096];
        for (int i = 0; i < uniqueChains.length; i++) {
            Request request = new Request.Builder().url("http://orders/v1/items/" + i + "?q=1").build();
            uniqueChains[i] = Fixtures.answering200(request);
        }
        targetUrl = HttpUrl.get("http://" + target.host() + ":" + target.port() + "/v1/items?q=1");
        bridgedBareChain = Fixtures.answering200(meshRequest.newBuilder().url(targetUrl).build()).through(bridge);
    }

    @TearDown
    public void tearDown() {
        mesh.close();
    }

    @Benchmark
    public Response meshCall() throws IOException {
        return meshChain.callThrough(interceptor);
    }

    @Benchmark
    public Response meshCallOnMeshClient() throws IOException {
        return meshClientChain.callThrough(interceptor);
    }

    @Benchmark
    public Response meshCallThroughBridge() throws IOException {
        return bridgedMeshChain.callThrough(interceptor);
    }

    @Benchmark
    public Response meshCallOnMeshClientThroughBridge() throws IOException {
        return bridgedMeshClientChain.callThrough(interceptor);
    }

    @Benchmark
    public Response bareCallThroughBridge() throws IOException {
        return bridgedBareChain.callThrough(PROCEED);
    }

    @Benchmark
    public Response meshCallUniqueUrls() throws IOException {
        AnsweringChain chain = uniqueChains[next];
        next = (next + 1) & (uniqueChains.length - 1);
        return chain.callThrough(interceptor);
    }

    @Benchmark
    public Request rewrittenRequestOnly() {
        return meshRequest.newBuilder().url(targetUrl).build();
    }

    @Benchmark
    public Request fullRewriteOnly() {
        HttpUrl url = meshRequest.url();
        HttpUrl rewritten = url.newBuilder().scheme("http").host(target.host()).port(target.port()).build();
        return meshRequest.newBuilder().url(rewritten).build();
    }

    @Benchmark
    public Response passThrough() throws IOException {
        return interceptor.intercept(outsideChain);
    }
}
