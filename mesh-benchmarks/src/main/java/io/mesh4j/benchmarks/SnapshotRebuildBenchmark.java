package io.mesh4j.benchmarks;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.LoadBalancer;
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

/**
 * Rebuilding a balancer's snapshot for 10,000 instances, as after a discovery update: each call alternates between
 * two instance sets that differ in one instance, so most endpoints are kept and one comes and goes.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -jar mesh-benchmarks/target/benchmarks.jar SnapshotRebuildBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SnapshotRebuildBenchmark {

    @Param({"ROUND_ROBIN", "LEAST_REQUEST", "PEAK_EWMA", "WEIGHTED_ROUND_ROBIN", "RING_HASH"})
    public Algorithm algorithm;

    @Param({"10000"})
    public int instances;

    private LoadBalancer balancer;
    private List<ServiceInstance> even;
    private List<ServiceInstance> odd;
    private boolean flip;

    @Setup
    public void setUp() {
        List<ServiceInstance> all = new ArrayList<>();
        for (int i = 0; i <= instances; i++) {
            all.add(ServiceInstance.builder("orders", "10." + (i / 62_500) + '.' + (i / 250 % 250) + '.'
                    + (i % 250 + 1), 8080).weight(1 + i % 3).build());
        }
        even = List.copyOf(all.subList(0, instances));
        odd = List.copyOf(all.subList(1, instances + 1));
        balancer = LoadBalancers.of(algorithm).newLoadBalancer("orders");
        balancer.updateInstances(even);
    }

    @Benchmark
    public LoadBalancer rebuild() {
        flip = !flip;
        balancer.updateInstances(flip ? odd : even);
        return balancer;
    }
}
