package io.mesh4j.lb.internal;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;

/** An endpoint for balancers that learn nothing from feedback: the callbacks do nothing. Immutable. */
final class PlainEndpoint implements Endpoint {

    private final ServiceInstance instance;

    PlainEndpoint(ServiceInstance instance) {
        this.instance = requireNonNull(instance, "instance");
    }

    @Override
    public ServiceInstance instance() {
        return instance;
    }

    @Override
    public void onAttemptStart() {
    }

    @Override
    public void onAttemptEnd(long latencyNanos, AttemptOutcome outcome) {
    }

    @Override
    public String toString() {
        return instance.toString();
    }
}
