package io.mesh4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.Picker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstanceHealthTest {

    /** Remembers every health change it is told. */
    private static final class Told implements LoadBalancer {
        final List<String> changes = new ArrayList<>();

        @Override
        public void updateInstances(List<ServiceInstance> instances) {
        }

        @Override
        public Picker picker() {
            return context -> null;
        }

        @Override
        public void updateHealth(String instanceId, boolean healthy) {
            changes.add(instanceId + (healthy ? " up" : " down"));
        }
    }

    @Test
    void shouldTellAttachedBalancerOfInstancesAlreadyDownWhenSubsetBalancerJoinsLater() {
        Told service = new Told();
        InstanceHealth health = new InstanceHealth(service);
        health.report("a", InstanceHealth.Source.CIRCUIT_BREAKER, false);
        health.report("b", InstanceHealth.Source.ACTIVE_CHECK, false);
        health.report("b", InstanceHealth.Source.ACTIVE_CHECK, true);

        Told subset = new Told();
        health.attach(subset);
        health.report("a", InstanceHealth.Source.CIRCUIT_BREAKER, true);

        assertThat(subset.changes).containsExactly("a down", "a up");
        assertThat(service.changes).containsExactly("a down", "b down", "b up", "a up");
    }

    @Test
    void shouldStopTellingBalancerWhenDetached() {
        Told service = new Told();
        InstanceHealth health = new InstanceHealth(service);
        Told subset = new Told();
        health.attach(subset);
        health.detach(subset);

        health.report("a", InstanceHealth.Source.CIRCUIT_BREAKER, false);

        assertThat(subset.changes).isEmpty();
        assertThat(service.changes).containsExactly("a down");
    }
}
