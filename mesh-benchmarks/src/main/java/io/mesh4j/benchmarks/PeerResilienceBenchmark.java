package io.mesh4j.benchmarks;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What a retry, a circuit breaker, a rate limit and a concurrency limit cost on the success path in Resilience4j
 * and in Failsafe, each library on its own around a call that returns at once (issue 16): the peers of what
 * {@link ResilienceBenchmark} adds to a mesh call ({@code RETRY_AND_GATES} against {@code NONE}). Run both in one
 * command so the figures come from one sitting. Settings mirror the mesh's: 3 attempts, a breaker with its library's
 * defaults, a rate limit per period (as Resilience4j counts it; a smooth Failsafe limiter of that rate divides by a
 * zero interval) far above the benchmark's rate, 1,000 concurrent calls.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -jar mesh-benchmarks/target/benchmarks.jar "ResilienceBenchmark|PeerResilienceBenchmark" -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PeerResilienceBenchmark {

    @Param({"resilience4j", "failsafe"})
    public String library;

    private final Supplier<String> call = () -> "200";
    private Supplier<String> decorated;

    @Setup
    public void setUp() {
        if (library.equals("resilience4j")) {
            Supplier<String> limited = Bulkhead.decorateSupplier(
                    Bulkhead.of("orders", BulkheadConfig.custom().maxConcurrentCalls(1_000).build()), call);
            limited = RateLimiter.decorateSupplier(RateLimiter.of("orders", RateLimiterConfig.custom()
                    .limitForPeriod(Integer.MAX_VALUE / 2).limitRefreshPeriod(Duration.ofSeconds(1)).build()),
                    limited);
            limited = CircuitBreaker.decorateSupplier(CircuitBreaker.ofDefaults("orders"), limited);
            decorated = Retry.decorateSupplier(Retry.ofDefaults("orders"), limited);
            return;
        }
        FailsafeExecutor<String> executor = Failsafe.with(
                dev.failsafe.RetryPolicy.<String>builder().withMaxAttempts(3).build(),
                dev.failsafe.CircuitBreaker.<String>ofDefaults(),
                dev.failsafe.RateLimiter.<String>burstyBuilder(Integer.MAX_VALUE / 2, Duration.ofSeconds(1)).build(),
                dev.failsafe.Bulkhead.<String>of(1_000));
        decorated = () -> executor.get(call::get);
    }

    @Benchmark
    public String decoratedCall() {
        return decorated.get();
    }
}
