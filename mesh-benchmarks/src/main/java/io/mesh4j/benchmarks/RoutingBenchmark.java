package io.mesh4j.benchmarks;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.routing.PathMatch;
import io.mesh4j.routing.Route;
import io.mesh4j.routing.RouteMatch;
import io.mesh4j.routing.RoutedRequest;
import io.mesh4j.routing.ServiceRoutes;
import io.mesh4j.routing.Subset;
import io.mesh4j.routing.ValueMatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of finding a request's route among 1, 10 and 100 routes, each a path prefix plus a header condition, with
 * the request taken by the last route (every route is tried) or by none. The request answers header lookups from
 * fields, as a client's view over an OkHttp request answers from the request's own arrays.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -jar mesh-benchmarks/target/benchmarks.jar RoutingBenchmark -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RoutingBenchmark {

    @Param({"1", "10", "100"})
    public int routes;

    private ServiceRoutes serviceRoutes;
    private RoutedRequest lastRouteTakes;
    private RoutedRequest noRouteTakes;

    @Setup
    public void setUp() {
        ServiceRoutes.Builder builder = ServiceRoutes.builder("orders")
                .subset(Subset.builder("v1").metadata("version", "v1").build())
                .subset(Subset.builder("v2").metadata("version", "v2").build());
        for (int i = 0; i < routes; i++) {
            builder.route(Route.builder("route-" + i)
                    .match(RouteMatch.builder().path(PathMatch.prefix("/api/r" + i))
                            .header("x-tenant", ValueMatch.exact("tenant-" + i)).build())
                    .split("v1", 90).split("v2", 10).build());
        }
        serviceRoutes = builder.build();
        int last = routes - 1;
        lastRouteTakes = new FieldRequest("/api/r" + last + "/items", "tenant-" + last);
        noRouteTakes = new FieldRequest("/other/items", "nobody");
    }

    @Benchmark
    public Route lastRouteTakes() {
        return serviceRoutes.route(lastRouteTakes);
    }

    @Benchmark
    public Route noRouteTakes() {
        return serviceRoutes.route(noRouteTakes);
    }

    @Benchmark
    public String pickSubsetOfSplit() {
        Route route = serviceRoutes.route(lastRouteTakes);
        return route.pickSubset(lastRouteTakes, System.nanoTime());
    }

    /** A request whose header lookup reads a field, allocating nothing. */
    private static final class FieldRequest implements RoutedRequest {
        private final String path;
        private final String tenant;

        FieldRequest(String path, String tenant) {
            this.path = path;
            this.tenant = tenant;
        }

        @Override
        public String method() {
            return "GET";
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        @Nullable
        public String header(String name) {
            return "x-tenant".equalsIgnoreCase(name) ? tenant : null;
        }

        @Override
        @Nullable
        public String queryParameter(String name) {
            return null;
        }
    }
}
