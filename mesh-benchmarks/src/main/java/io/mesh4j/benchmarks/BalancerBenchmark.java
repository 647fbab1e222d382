package io.mesh4j.benchmarks;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.RequestContext;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.LoadBalancers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The cost of one pick plus its start and end feedback, for each balancer, with the default config (outlier
 * ejection and panic threshold on), at 10, 100 and 1,000 instances, from 1 and from 2 threads sharing one balancer.
 * Ring hash picks by a key drawn from 1,024 keys; the others ignore keys. The end time handed to feedback comes
 * from a per-thread clock that moves 1 µs per call: the client reads the time anyway to measure latency, so that
 * read is not the balancer's cost.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -jar mesh-benchmarks/target/benchmarks.jar BalancerBenchmark -prof gc -f 1 -wi 2 -w 1s -i 3 -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BalancerBenchmark {

    @Param({"ROUND_ROBIN", "LEAST_REQUEST", "PEAK_EWMA", "RANDOM", "WEIGHTED_ROUND_ROBIN", "RING_HASH"})
    public Algorithm algorithm;

    @Param({"10", "100", "1000"})
    public int instances;

    private LoadBalancer balancer;
    private final RequestContext[] contexts = new RequestContext[1024];

    @Setup
    public void setUp() {
        List<ServiceInstance> list = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            list.add(ServiceInstance.builder("orders", "10.0." + (i / 250) + '.' + (i % 250 + 1), 8080)
                    .weight(1 + i % 3)
                    .build());
        }
        balancer = LoadBalancers.of(algorithm).newLoadBalancer("orders");
        balancer.updateInstances(list);
        for (int i = 0; i < contexts.length; i++) {
            contexts[i] = RequestContext.of("orders", "GET", "/v1/items", "user-" + i, 1, List.of());
        }
    }

    /** Each thread walks the keys on its own, and keeps a clock that moves 1 µs per call. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
        long nanos = System.nanoTime();
    }

    private Endpoint pickAndReport(Cursor cursor) {
        cursor.nanos += 1_000;
        return pickAndReport(balancer, contexts[cursor.next++ & (contexts.length - 1)], cursor.nanos);
    }

    /** One pick of {@code balancer} with the feedback of a successful 1 ms attempt that ended at {@code endNanos}. */
    static Endpoint pickAndReport(LoadBalancer balancer, RequestContext context, long endNanos) {
        Endpoint endpoint = balancer.picker().pick(context);
        endpoint.onAttemptStart();
        endpoint.onAttemptEnd(endNanos, 1_000_000L, AttemptOutcome.SUCCESS);
        return endpoint;
    }

    @Benchmark
    @Threads(1)
    public Endpoint oneThread(Cursor cursor) {
        return pickAndReport(cursor);
    }

    @Benchmark
    @Threads(2)
    public Endpoint twoThreads(Cursor cursor) {
        return pickAndReport(cursor);
    }
}
