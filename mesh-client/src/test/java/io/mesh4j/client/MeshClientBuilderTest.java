package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.LoadBalancerFactory;
import io.mesh4j.lb.LoadBalancers;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class MeshClientBuilderTest {

    private final StaticDiscovery discovery = StaticDiscovery.of(ServiceInstance.builder("orders", "h", 80).build());

    @Test
    void shouldFailNamingDiscoveryWhenNotSet() {
        assertThatThrownBy(() -> MeshClient.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("discovery: not set (expected: a ServiceDiscovery");
    }

    @Test
    void shouldFailNamingServiceWhenServiceNameCannotBeAHost() {
        MeshClient.Builder builder = MeshClient.builder().discovery(discovery)
                .service("Orders", ServiceSettings.ofDefaults());

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("service: 'Orders' (expected: 1 to 253 lower-case letters");
    }

    @Test
    void shouldRejectNullAtOnceWhenSetterGetsNull() {
        assertThatThrownBy(() -> MeshClient.builder().discovery(null))
                .isInstanceOf(NullPointerException.class).hasMessage("discovery");
        assertThatThrownBy(() -> MeshClient.builder().service("orders", null))
                .isInstanceOf(NullPointerException.class).hasMessage("settings");
        assertThatThrownBy(() -> ServiceSettings.custom().balancer(null))
                .isInstanceOf(NullPointerException.class).hasMessage("balancer");
    }

    @Test
    void shouldFailNamingFieldWhenHashKeySourceIsBlank() {
        assertThatThrownBy(() -> ServiceSettings.custom().hashKeyHeader(" ").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("hashKeyHeader: ' '");
        assertThatThrownBy(() -> ServiceSettings.custom().hashKeyCookie("").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("hashKeyCookie: ''");
    }

    @Test
    void shouldUseDocumentedDefaultsWhenNothingElseIsSet() {
        try (MeshClient mesh = MeshClient.builder().discovery(discovery).build()) {
            assertThat(mesh.settingsFor("orders").balancer()).isSameAs(LoadBalancers.peakEwma());
            assertThat(mesh.discovery()).isSameAs(discovery);
            assertThat(mesh.okHttpClient().interceptors()).singleElement().isInstanceOf(MeshInterceptor.class);
        }
    }

    @Test
    void shouldFailNamingHedgingWhenRetryBudgetAllowsNoHedge() {
        io.mesh4j.resilience.RetryConfig noBudget = io.mesh4j.resilience.RetryConfig.custom().budgetPercent(0)
                .budgetMinPerSecond(0).build();

        assertThatThrownBy(() -> ServiceSettings.custom().retry(noBudget)
                .hedging(io.mesh4j.resilience.HedgingConfig.ofDefaults()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("hedging: HedgingConfig{maxHedges=1, delay=PT0.05S}")
                .hasMessageContaining("expected: a retry budget above zero");
        assertThat(ServiceSettings.custom().retry(noBudget).build().hedging().enabled()).isFalse();
    }

    @Test
    void shouldFailNamingPercentileWhenItWantsMoreHedgesThanTheBudgetAllows() {
        io.mesh4j.resilience.HedgingConfig p75 = io.mesh4j.resilience.HedgingConfig.custom().delayPercentile(75)
                .build();

        assertThatThrownBy(() -> ServiceSettings.custom().hedging(p75).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("hedging: delayPercentile=75 (expected: at least 80, as a hedge after that"
                        + " percentile is wanted by 25% of calls while the retry budget allows hedges for 20%");
        assertThat(ServiceSettings.custom().hedging(p75)
                .retry(io.mesh4j.resilience.RetryConfig.custom().budgetPercent(25).build()).build().hedging())
                .isEqualTo(p75);
        assertThat(ServiceSettings.custom().hedging(io.mesh4j.resilience.HedgingConfig.custom().delayPercentile(80)
                .build()).build().hedging().delayPercentile()).isEqualTo(80);
    }

    @Test
    void shouldDeriveVariantAndKeepOriginalWhenNewBuilderIsUsed() {
        LoadBalancerFactory custom = new LoadBalancerFactory() {
            @Override
            public String name() {
                return "custom";
            }

            @Override
            public LoadBalancer newLoadBalancer(String service) {
                return LoadBalancers.roundRobin().newLoadBalancer(service);
            }
        };
        OkHttpClient base = new OkHttpClient();
        MeshClient original = MeshClient.builder().discovery(discovery).okHttpClient(base).build();

        MeshClient derived = original.newBuilder()
                .service("payments", ServiceSettings.from(ServiceSettings.ofDefaults()).balancer(custom).build())
                .build();

        assertThat(derived.settingsFor("payments").balancer()).isSameAs(custom);
        assertThat(original.settingsFor("payments").balancer()).isSameAs(LoadBalancers.peakEwma());
        assertThat(derived.okHttpClient().connectionPool()).isSameAs(base.connectionPool());
        assertThat(derived.interceptor()).isNotSameAs(original.interceptor());
        derived.close();
        original.close();
    }
}
