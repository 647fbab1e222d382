package io.mesh4j.lb.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.LoadBalancerFactory;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.api.balancer.RequestContext;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round robin over the instances in discovery order. The position counter lives in the balancer, not the picker,
 * so a discovery update does not send the next burst to the first instance again.
 */
public final class RoundRobinLoadBalancer extends SnapshotLoadBalancer<PlainEndpoint> {

    /** The factory behind {@code LoadBalancers.roundRobin()}. */
    public static final LoadBalancerFactory FACTORY = new LoadBalancerFactory() {
        @Override
        public String name() {
            return "round_robin";
        }

        @Override
        public LoadBalancer newLoadBalancer(String service) {
            return new RoundRobinLoadBalancer();
        }

        @Override
        public String toString() {
            return "LoadBalancers.roundRobin()";
        }
    };

    private final AtomicInteger position = new AtomicInteger();

    RoundRobinLoadBalancer() {
    }

    @Override
    protected PlainEndpoint endpointFor(ServiceInstance instance, @Nullable PlainEndpoint previous) {
        return previous != null && previous.instance().equals(instance) ? previous : new PlainEndpoint(instance);
    }

    @Override
    protected Picker newPicker(List<PlainEndpoint> endpoints) {
        return new RoundRobinPicker(endpoints.toArray(new Endpoint[0]), position);
    }

    private static final class RoundRobinPicker implements Picker {
        private final Endpoint[] endpoints;
        private final AtomicInteger position;

        RoundRobinPicker(Endpoint[] endpoints, AtomicInteger position) {
            this.endpoints = endpoints;
            this.position = position;
        }

        @Override
        public Endpoint pick(RequestContext context) {
            int n = endpoints.length;
            int start = (position.getAndIncrement() & Integer.MAX_VALUE) % n;
            if (context.triedInstances().isEmpty()) {
                return endpoints[start];
            }
            for (int i = 0; i < n; i++) {
                Endpoint candidate = endpoints[(start + i) % n];
                if (!context.wasTried(candidate.instance())) {
                    return candidate;
                }
            }
            return endpoints[start];
        }
    }
}
