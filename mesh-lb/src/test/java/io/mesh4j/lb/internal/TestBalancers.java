package io.mesh4j.lb.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.api.balancer.RequestContext;
import io.mesh4j.lb.BalancerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/** A balancer on a hand-driven clock and a seeded random source, with helpers to pick and count. */
final class TestBalancers {

    static final RequestContext FIRST_ATTEMPT = RequestContext.of("orders", "GET", "/");

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final Ticker ticker = now::get;
    final Random random = new Random(42);

    BalancerConfig.Builder config() {
        return BalancerConfig.custom().ticker(ticker).random(random);
    }

    MeshLoadBalancer balancer(BalancerConfig config, List<ServiceInstance> instances) {
        MeshLoadBalancer balancer = new MeshLoadBalancer("orders", config);
        balancer.updateInstances(instances);
        return balancer;
    }

    void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }

    static ServiceInstance instance(String id) {
        return ServiceInstance.builder("orders", "127.0.0.1", 8080).id(id).build();
    }

    static ServiceInstance instance(String id, String zone) {
        return ServiceInstance.builder("orders", "127.0.0.1", 8080).id(id).zone(zone).build();
    }

    static ServiceInstance weighted(String id, int weight) {
        return ServiceInstance.builder("orders", "127.0.0.1", 8080).id(id).weight(weight).build();
    }

    static List<ServiceInstance> instances(String... ids) {
        List<ServiceInstance> list = new ArrayList<>();
        for (String id : ids) {
            list.add(instance(id));
        }
        return list;
    }

    static String pickId(Picker picker) {
        return picker.pick(FIRST_ATTEMPT).instance().id();
    }

    /** Picks {@code count} times (without feedback) and counts picks per instance id. */
    static Map<String, Integer> counts(MeshLoadBalancer balancer, int count) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < count; i++) {
            counts.merge(pickId(balancer.picker()), 1, Integer::sum);
        }
        return counts;
    }

    /** Ends {@code count} attempts on the endpoint of {@code id} with {@code outcome}, now. */
    void report(MeshLoadBalancer balancer, String id, int count, io.mesh4j.api.balancer.AttemptOutcome outcome) {
        Endpoint endpoint = endpoint(balancer, id);
        for (int i = 0; i < count; i++) {
            endpoint.onAttemptStart();
            endpoint.onAttemptEnd(now.get(), 1_000_000L, outcome);
        }
    }

    static BalancedEndpoint endpoint(MeshLoadBalancer balancer, String id) {
        return balancer.endpoints().stream().filter(e -> e.instance().id().equals(id)).findFirst().orElseThrow();
    }
}
