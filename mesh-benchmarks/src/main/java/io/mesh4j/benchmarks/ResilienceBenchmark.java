package io.mesh4j.benchmarks;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.MeshInterceptor;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.resilience.RetryConfig;
import java.io.IOException;
import java.time.Duration;
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
 * What the resilience layer adds on the success path (no retry, breaker closed), side by side: {@code NONE} turns
 * retries off and configures no gate; {@code RETRY} is the default retry policy (a budget deposit per call);
 * {@code RETRY_AND_GATES} adds a circuit breaker, a rate limit far above the benchmark's rate and a concurrency
 * limit. Round robin over 3 instances, no telemetry, a chain that answers 200 at once.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -jar mesh-benchmarks/target/benchmarks.jar ResilienceBenchmark -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResilienceBenchmark {

    @Param({"NONE", "RETRY", "RETRY_AND_GATES"})
    public String policies;

    private MeshClient mesh;
    private MeshInterceptor interceptor;
    private AnsweringChain chain;

    @Setup
    public void setUp() {
        List<ServiceInstance> instances = Fixtures.orders(3);
        ServiceSettings.Builder settings = ServiceSettings.custom().balancer(LoadBalancers.roundRobin());
        if (policies.equals("NONE")) {
            settings.retry(RetryConfig.disabled());
        }
        if (policies.equals("RETRY_AND_GATES")) {
            settings.circuitBreaker(CircuitBreakerConfig.ofDefaults())
                    .rateLimit(RateLimiterConfig.custom().limitForPeriod(Integer.MAX_VALUE / 2)
                            .limitRefreshPeriod(Duration.ofSeconds(1)).build())
                    .concurrencyLimit(BulkheadConfig.custom().maxConcurrentCalls(1_000).build());
        }
        mesh = MeshClient.builder()
                .discovery(StaticDiscovery.of(instances))
                .defaultSettings(settings.build())
                .accessLogLevel(null)
                .build();
        interceptor = mesh.interceptor();
        chain = Fixtures.answering200(new Request.Builder().url("http://orders/v1/items?q=1").build());
    }

    @TearDown
    public void tearDown() {
        mesh.close();
    }

    @Benchmark
    public Response meshCall() throws IOException {
        return chain.callThrough(interceptor);
    }
}
