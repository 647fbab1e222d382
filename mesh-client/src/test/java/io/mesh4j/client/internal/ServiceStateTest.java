package io.mesh4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.lb.LoadBalancers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceStateTest {

    private static final List<ServiceInstance> FOUR = List.of(
            ServiceInstance.builder("orders", "10.0.0.1", 80).id("i1").build(),
            ServiceInstance.builder("orders", "10.0.0.2", 80).id("i2").build(),
            ServiceInstance.builder("orders", "10.0.0.3", 80).id("i3").build(),
            ServiceInstance.builder("orders", "10.0.0.4", 80).id("i4").build());

    @Test
    void shouldKeepPickerAndRewritesWhenDiscoveryRepeatsTheSameInstances() {
        ServiceState service = new ServiceState("orders",
                ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build());
        service.onInstances(FOUR);
        Object picker = service.picker();
        UrlRewriter rewriter = service.urlRewriter();

        service.onInstances(new ArrayList<>(FOUR));

        assertThat(service.picker()).isSameAs(picker);
        assertThat(service.urlRewriter()).isSameAs(rewriter);
    }

    @Test
    void shouldRebuildWhenTheInstancesChange() {
        ServiceState service = new ServiceState("orders",
                ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build());
        service.onInstances(FOUR);
        Object picker = service.picker();

        service.onInstances(FOUR.subList(0, 3));

        assertThat(service.picker()).isNotSameAs(picker);
        assertThat(service.knownInstances()).isEqualTo(3);
    }
}
