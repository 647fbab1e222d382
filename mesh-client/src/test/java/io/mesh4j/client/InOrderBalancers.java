package io.mesh4j.client;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.LoadBalancerFactory;
import io.mesh4j.api.balancer.Picker;
import java.util.List;

/**
 * A balancer for tests that must know where each attempt goes: it picks the first instance, in discovery's order,
 * that the call has not tried yet, and learns nothing.
 */
final class InOrderBalancers implements LoadBalancerFactory {

    @Override
    public String name() {
        return "in_order";
    }

    @Override
    public LoadBalancer newLoadBalancer(String service) {
        return new LoadBalancer() {
            private volatile List<ServiceInstance> instances = List.of();

            @Override
            public void updateInstances(List<ServiceInstance> updated) {
                instances = updated;
            }

            @Override
            public Picker picker() {
                List<ServiceInstance> now = instances;
                return context -> {
                    for (ServiceInstance instance : now) {
                        if (!context.triedInstances().contains(instance)) {
                            return endpoint(instance);
                        }
                    }
                    return null;
                };
            }
        };
    }

    private static Endpoint endpoint(ServiceInstance instance) {
        return new Endpoint() {
            @Override
            public ServiceInstance instance() {
                return instance;
            }

            @Override
            public void onAttemptStart() {
            }

            @Override
            public void onAttemptEnd(long endNanos, long latencyNanos, AttemptOutcome outcome) {
            }
        };
    }
}
