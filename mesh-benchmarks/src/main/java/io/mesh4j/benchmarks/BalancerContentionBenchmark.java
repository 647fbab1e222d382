package io.mesh4j.benchmarks;

import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.RequestContext;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.LoadBalancers;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * What two threads sharing one balancer pay for it when they do something besides balancing. {@link BalancerBenchmark}
 * has both threads do nothing but pick and report, so every write to an endpoint's shared load counters moves a cache
 * line between the cores on nearly every pick: the worst case. Here each call holds its attempt open for
 * {@code workTokens} of {@link Blackhole#consumeCPU} (about 1 and 10 µs on the build machine, the order of the mesh's
 * own call path with telemetry and of a loopback HTTP call), and the {@code NONE} rows do the same work without a
 * balancer. A balancer's cost per call is its row minus the {@code NONE} row of the same work.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -jar mesh-benchmarks/target/benchmarks.jar BalancerContentionBenchmark -f 2 -wi 3 -w 1s -i 5 -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(2)
public class BalancerContentionBenchmark {

    /** {@code NONE} runs the work alone, as the baseline; the others name an {@link Algorithm}. */
    @Param({"NONE", "ROUND_ROBIN", "RANDOM", "LEAST_REQUEST", "PEAK_EWMA"})
    public String balancer;

    @Param({"10", "1000"})
    public int instances;

    @Param({"400", "4000"})
    public int workTokens;

    private LoadBalancer loadBalancer;
    private RequestContext context;

    @Setup
    public void setUp() {
        context = RequestContext.of("orders", "GET", "/v1/items");
        if (!balancer.equals("NONE")) {
            loadBalancer = LoadBalancers.of(Algorithm.valueOf(balancer)).newLoadBalancer("orders");
            loadBalancer.updateInstances(Fixtures.orders(instances));
        }
    }

    /** Each thread keeps a clock that moves 1 µs per call. */
    @State(Scope.Thread)
    public static class ThreadClock {
        long nanos = System.nanoTime();
    }

    @Benchmark
    public void call(ThreadClock clock) {
        if (loadBalancer == null) {
            Blackhole.consumeCPU(workTokens);
            return;
        }
        Endpoint endpoint = loadBalancer.picker().pick(context);
        endpoint.onAttemptStart();
        Blackhole.consumeCPU(workTokens);
        clock.nanos += 1_000;
        endpoint.onAttemptEnd(clock.nanos, 1_000_000L, AttemptOutcome.SUCCESS);
    }
}
