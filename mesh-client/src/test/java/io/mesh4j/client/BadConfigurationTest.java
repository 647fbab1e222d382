package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.discovery.consul.ConsulDiscovery;
import io.mesh4j.discovery.consul.ConsulPolicySource;
import io.mesh4j.lb.BalancerConfig;
import io.mesh4j.lb.OutlierEjectionConfig;
import io.mesh4j.resilience.HedgingConfig;
import io.mesh4j.resilience.RetryConfig;
import io.mesh4j.resilience.TimeoutConfig;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad configuration across the builders a user meets (issue 15): out-of-range, missing and contradictory values fail
 * at once, or at {@code build()}, with the field's name and what it expects; {@code null} fails with the parameter's
 * name. Documented in {@code docs/RELIABILITY.md}.
 */
class BadConfigurationTest {

    private static Arguments bad(String what, ThrowingCallable call, Class<? extends Throwable> type,
            String message) {
        return Arguments.of(what, call, type, message);
    }

    static Stream<Arguments> cases() {
        StaticDiscovery discovery = StaticDiscovery.of(ServiceInstance.builder("orders", "10.0.0.1", 80).build());
        return Stream.of(
                bad("client without discovery", () -> MeshClient.builder().build(),
                        IllegalArgumentException.class, "discovery: not set"),
                bad("service name that is no host", () -> MeshClient.builder().discovery(discovery)
                        .service("Orders Service", ServiceSettings.ofDefaults()).build(),
                        IllegalArgumentException.class, "service: 'Orders Service'"),
                bad("mirror bound 0", () -> MeshClient.builder().maxMirrorsInFlight(0),
                        IllegalArgumentException.class, "maxMirrorsInFlight: 0 (expected: 1 to 10000)"),
                bad("null ticker", () -> MeshClient.builder().ticker(null), NullPointerException.class, "ticker"),
                bad("instance port 0", () -> ServiceInstance.builder("orders", "10.0.0.1", 0).build(),
                        IllegalArgumentException.class, "port: 0"),
                bad("instance port 70000", () -> ServiceInstance.builder("orders", "10.0.0.1", 70_000).build(),
                        IllegalArgumentException.class, "port: 70000"),
                bad("instance weight 0", () -> ServiceInstance.builder("orders", "10.0.0.1", 80).weight(0).build(),
                        IllegalArgumentException.class, "weight: 0"),
                bad("instance of a service name that is no host", () -> ServiceInstance.builder("orders!", "10.0.0.1",
                        80).build(), IllegalArgumentException.class, "service: 'orders!'"),
                bad("attempts 0", () -> RetryConfig.custom().maxAttempts(0).build(),
                        IllegalArgumentException.class, "maxAttempts: 0 (expected: 1 to 10)"),
                bad("retrying 404", () -> RetryConfig.custom().retryStatuses(Set.of(404)).build(),
                        IllegalArgumentException.class, "retryStatuses: 404"),
                bad("backoff ceiling below its base", () -> RetryConfig.custom().backoffBase(Duration.ofSeconds(2))
                        .backoffMax(Duration.ofSeconds(1)).build(), IllegalArgumentException.class, "backoffMax: 1s"),
                bad("budget window not whole seconds", () -> RetryConfig.custom()
                        .budgetWindow(Duration.ofMillis(1500)).build(), IllegalArgumentException.class,
                        "budgetWindow: 1500ms (expected: whole seconds)"),
                bad("hedges 6", () -> HedgingConfig.custom().maxHedges(6).build(), IllegalArgumentException.class,
                        "maxHedges: 6 (expected: 1 to 5)"),
                bad("hedge delay 0", () -> HedgingConfig.custom().delay(Duration.ZERO).build(),
                        IllegalArgumentException.class, "delay: 0"),
                bad("negative per-try timeout", () -> TimeoutConfig.custom().perTryTimeout(Duration.ofMillis(-5))
                        .build(), IllegalArgumentException.class, "perTryTimeout: -5ms"),
                bad("overall timeout below per-try", () -> TimeoutConfig.custom().perTryTimeout(Duration.ofSeconds(2))
                        .overallTimeout(Duration.ofSeconds(1)).build(), IllegalArgumentException.class,
                        "overallTimeout: 1s (expected: >= perTryTimeout 2s"),
                bad("blank hash key header", () -> ServiceSettings.custom().hashKeyHeader(" ").build(),
                        IllegalArgumentException.class, "hashKeyHeader: ' '"),
                bad("null balancer", () -> ServiceSettings.custom().balancer(null), NullPointerException.class,
                        "balancer"),
                bad("health check interval 0", () -> ActiveHealthCheck.custom().interval(Duration.ZERO).build(),
                        IllegalArgumentException.class, "interval: 0"),
                bad("ejection share over 100", () -> OutlierEjectionConfig.custom().maxEjectedPercent(101).build(),
                        IllegalArgumentException.class, "maxEjectedPercent: 101"),
                bad("balancer panic threshold over 100", () -> BalancerConfig.custom().panicThresholdPercent(101).build(),
                        IllegalArgumentException.class, "panicThresholdPercent: 101"),
                bad("Consul wait of 11 minutes", () -> ConsulDiscovery.builder().wait(Duration.ofMinutes(11)).build(),
                        IllegalArgumentException.class, "wait: 11min"),
                bad("Consul KV key starting with /", () -> ConsulPolicySource.builder("/mesh/policy"),
                        IllegalArgumentException.class, "key: '/mesh/policy'"),
                bad("TLS without roots", () -> TlsSettings.builder().build(), IllegalArgumentException.class,
                        "trustRoots and certificates: neither set"),
                bad("policy file checked every millisecond", () -> PolicyFile.builder(java.nio.file.Path.of("p.json"))
                        .checkInterval(Duration.ofMillis(1)), IllegalArgumentException.class,
                        "checkInterval: 1ms (expected: 10ms to 1h)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldFailNamingFieldAndRangeWhenValueIsBad(String what, ThrowingCallable call,
            Class<? extends Throwable> type, String message) {
        assertThatThrownBy(call).as(what).isInstanceOf(type).hasMessageStartingWith(message);
    }
}
