package io.mesh4j.benchmarks;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.RequestContext;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.LoadBalancers;
import io.smallrye.stork.api.Service;
import io.smallrye.stork.api.observability.NoopObservationCollector;
import io.smallrye.stork.impl.DefaultServiceInstance;
import io.smallrye.stork.impl.RoundRobinLoadBalancer;
import io.smallrye.stork.loadbalancer.leastresponsetime.LeastResponseTimeConfiguration;
import io.smallrye.stork.loadbalancer.leastresponsetime.LeastResponseTimeLoadBalancerProvider;
import io.smallrye.stork.loadbalancer.poweroftwochoices.PowerOfTwoChoicesConfiguration;
import io.smallrye.stork.loadbalancer.poweroftwochoices.PowerOfTwoChoicesLoadBalancerProvider;
import io.smallrye.stork.loadbalancer.requests.LeastRequestsConfiguration;
import io.smallrye.stork.loadbalancer.requests.LeastRequestsLoadBalancerProvider;
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
 * One pick with its start and end feedback, Mesh4j's balancers next to SmallRye Stork's (issue 16), in one run so
 * the ratios hold on a noisy machine. Pairs that do the same job: round robin with round robin; Mesh4j's least
 * request (power of two choices over requests in flight) with Stork's {@code power-of-two-choices} and its
 * {@code least-requests} (a scan of every instance); Mesh4j's peak-EWMA with Stork's {@code least-response-time}.
 *
 * <p>Stork is driven the way its synchronous API is used: {@code Service.selectInstanceAndRecordStart(instances,
 * true)} (which takes the service's selection lock when the balancer asks for strict recording, as least-requests and
 * least-response-time do), then {@code recordReply()} and {@code recordEnd(null)} on the instance it returned; each
 * balancer is built by its provider with its default configuration. Mesh4j's side is {@link BalancerBenchmark}'s
 * pick and feedback, with the default config of each balancer.
 *
 * <p>Run from the repository root (allocation is part of the result):
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -jar mesh-benchmarks/target/benchmarks.jar StorkPickBenchmark -prof gc -f 1 -wi 2 -w 1s -i 3 -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StorkPickBenchmark {

    @Param({"mesh4j-round-robin", "stork-round-robin", "mesh4j-least-request", "stork-power-of-two-choices",
            "stork-least-requests", "mesh4j-peak-ewma", "stork-least-response-time"})
    public String balancer;

    @Param({"10", "100", "1000"})
    public int instances;

    private LoadBalancer mesh;
    private Service stork;
    private List<io.smallrye.stork.api.ServiceInstance> storkInstances;
    private final RequestContext context = RequestContext.of("orders", "GET", "/v1/items");

    @Setup
    public void setUp() {
        if (balancer.startsWith("mesh4j-")) {
            List<ServiceInstance> list = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                list.add(ServiceInstance.builder("orders", host(i), 8080).build());
            }
            mesh = LoadBalancers.of(Algorithm.valueOf(balancer.substring("mesh4j-".length()).toUpperCase()
                    .replace('-', '_'))).newLoadBalancer("orders");
            mesh.updateInstances(list);
            return;
        }
        storkInstances = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            storkInstances.add(new DefaultServiceInstance(i, host(i), 8080, false));
        }
        io.smallrye.stork.api.LoadBalancer storkBalancer;
        switch (balancer) {
            case "stork-round-robin":
                storkBalancer = new RoundRobinLoadBalancer();
                break;
            case "stork-power-of-two-choices":
                storkBalancer = new PowerOfTwoChoicesLoadBalancerProvider()
                        .createLoadBalancer(new PowerOfTwoChoicesConfiguration(), null);
                break;
            case "stork-least-requests":
                storkBalancer = new LeastRequestsLoadBalancerProvider()
                        .createLoadBalancer(new LeastRequestsConfiguration(), null);
                break;
            case "stork-least-response-time":
                storkBalancer = new LeastResponseTimeLoadBalancerProvider()
                        .createLoadBalancer(new LeastResponseTimeConfiguration(), null);
                break;
            default:
                throw new IllegalArgumentException("balancer: " + balancer);
        }
        stork = new Service("orders", balancer.substring("stork-".length()), "static",
                new NoopObservationCollector(), storkBalancer, null, null, storkBalancer.requiresStrictRecording());
    }

    private static String host(int i) {
        return "10.0." + (i / 250) + '.' + (i % 250 + 1);
    }

    /** Each thread keeps a clock that moves 1 µs per call, for Mesh4j's feedback. */
    @State(Scope.Thread)
    public static class Clock {
        long nanos = System.nanoTime();
    }

    private Object pickAndReport(Clock clock) {
        if (mesh != null) {
            clock.nanos += 1_000;
            return BalancerBenchmark.pickAndReport(mesh, context, clock.nanos);
        }
        io.smallrye.stork.api.ServiceInstance picked = stork.selectInstanceAndRecordStart(storkInstances, true);
        picked.recordReply();
        picked.recordEnd(null);
        return picked;
    }

    @Benchmark
    @Threads(1)
    public Object oneThread(Clock clock) {
        return pickAndReport(clock);
    }

    @Benchmark
    @Threads(2)
    public Object twoThreads(Clock clock) {
        return pickAndReport(clock);
    }

    @Benchmark
    @Threads(4)
    public Object fourThreads(Clock clock) {
        return pickAndReport(clock);
    }
}
