package io.mesh4j.benchmarks;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.MeshInterceptor;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.routing.MeshPolicy;
import io.mesh4j.routing.PathMatch;
import io.mesh4j.routing.Route;
import io.mesh4j.routing.RouteMatch;
import io.mesh4j.routing.ServiceRoutes;
import io.mesh4j.routing.Subset;
import io.mesh4j.routing.ValueMatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.Response;
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
 * What a routing policy adds to a call through {@code MeshClient.okHttpClient()} (the setup of
 * {@code InterceptorBenchmark.meshCallOnMeshClient}, 4 instances, round robin): with {@code routes} 0 the service
 * has no policy; with 10, nine routes that do not take the request (prefix and header matches) come before the one
 * that does, which splits 90/10 between two subsets of two instances each.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -jar mesh-benchmarks/target/benchmarks.jar RoutedCallBenchmark -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RoutedCallBenchmark {

    @Param({"0", "10"})
    public int routes;

    private MeshClient mesh;
    private MeshInterceptor interceptor;
    private AnsweringChain chain;

    @Setup
    public void setUp() {
        List<ServiceInstance> instances = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            instances.add(ServiceInstance.builder("orders", "10.0.0." + (i + 1), 8080)
                    .metadata("version", i < 2 ? "v1" : "v2").build());
        }
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(instances))
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build())
                .policy(routes == 0 ? MeshPolicy.empty() : policy(routes))
                .build();
        interceptor = mesh.interceptor();
        Request request = new Request.Builder().url("http://orders/v1/items?q=1").header("X-Request-Id", "r-1")
                .build();
        chain = Fixtures.answering200(mesh.okHttpClient(), request);
    }

    /** {@code count - 1} routes that do not take {@code GET /v1/items}, then a 90/10 split that does. */
    private static MeshPolicy policy(int count) {
        ServiceRoutes.Builder orders = ServiceRoutes.builder("orders")
                .subset(Subset.builder("v1").metadata("version", "v1").build())
                .subset(Subset.builder("v2").metadata("version", "v2").build());
        for (int i = 0; i < count - 1; i++) {
            RouteMatch match = i % 2 == 0
                    ? RouteMatch.builder().path(PathMatch.prefix("/v1/other-" + i)).build()
                    : RouteMatch.builder().header("x-tenant", ValueMatch.exact("tenant-" + i)).build();
            orders.route(Route.builder("route-" + i).match(match).to("v1").build());
        }
        orders.route(Route.builder("canary").match(RouteMatch.builder().path(PathMatch.prefix("/v1")).build())
                .split("v1", 90).split("v2", 10).build());
        return MeshPolicy.builder().service(orders.build()).build();
    }

    @TearDown
    public void tearDown() {
        mesh.close();
    }

    @Benchmark
    public Response meshCallOnMeshClient() throws IOException {
        return chain.callThrough(interceptor);
    }
}
