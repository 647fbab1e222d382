package io.mesh4j.lb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.api.balancer.RequestContext;
import io.mesh4j.lb.LoadBalancers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class RoundRobinLoadBalancerTest {

    private static final RequestContext FIRST_ATTEMPT = RequestContext.of("orders", "GET", "/");

    private static ServiceInstance instance(int port) {
        return ServiceInstance.builder("orders", "127.0.0.1", port).build();
    }

    private static List<String> pickIds(Picker picker, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(picker.pick(FIRST_ATTEMPT).instance().id());
        }
        return ids;
    }

    @Test
    void shouldPickEachInstanceInTurnWhenInstancesAreSet() {
        LoadBalancer balancer = LoadBalancers.roundRobin().newLoadBalancer("orders");
        balancer.updateInstances(List.of(instance(1), instance(2), instance(3)));

        assertThat(pickIds(balancer.picker(), 6)).containsExactly(
                "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3");
    }

    @Test
    void shouldPickNothingWhenNoInstances() {
        LoadBalancer balancer = LoadBalancers.roundRobin().newLoadBalancer("orders");
        assertThat(balancer.picker().pick(FIRST_ATTEMPT)).isNull();

        balancer.updateInstances(List.of(instance(1)));
        balancer.updateInstances(List.of());
        assertThat(balancer.picker().pick(FIRST_ATTEMPT)).isNull();
    }

    @Test
    void shouldSkipTriedInstancesWhenOthersRemain() {
        LoadBalancer balancer = LoadBalancers.roundRobin().newLoadBalancer("orders");
        List<ServiceInstance> all = List.of(instance(1), instance(2), instance(3));
        balancer.updateInstances(all);
        RequestContext retry = RequestContext.of("orders", "GET", "/", null, 3, List.of(all.get(0), all.get(1)));

        for (int i = 0; i < 10; i++) {
            assertThat(balancer.picker().pick(retry).instance()).isEqualTo(all.get(2));
        }
    }

    @Test
    void shouldPickATriedInstanceWhenAllWereTried() {
        LoadBalancer balancer = LoadBalancers.roundRobin().newLoadBalancer("orders");
        List<ServiceInstance> all = List.of(instance(1), instance(2));
        balancer.updateInstances(all);
        RequestContext retry = RequestContext.of("orders", "GET", "/", null, 3, all);

        assertThat(balancer.picker().pick(retry)).isNotNull();
    }

    @Test
    void shouldKeepEndpointAndPositionWhenInstanceSetChanges() {
        LoadBalancer balancer = LoadBalancers.roundRobin().newLoadBalancer("orders");
        balancer.updateInstances(List.of(instance(1), instance(2)));
        Endpoint first = balancer.picker().pick(FIRST_ATTEMPT);

        balancer.updateInstances(List.of(instance(1), instance(2), instance(3)));

        Picker picker = balancer.picker();
        assertThat(picker.pick(FIRST_ATTEMPT).instance().id()).isEqualTo("127.0.0.1:2");
        assertThat(picker.pick(FIRST_ATTEMPT).instance().id()).isEqualTo("127.0.0.1:3");
        assertThat(picker.pick(FIRST_ATTEMPT)).isSameAs(first);
    }

    @Test
    void shouldUseNewInstanceDataWhenSameIdChanges() {
        LoadBalancer balancer = LoadBalancers.roundRobin().newLoadBalancer("orders");
        balancer.updateInstances(List.of(instance(1)));
        ServiceInstance moved = ServiceInstance.builder("orders", "127.0.0.2", 1).id("127.0.0.1:1").build();

        balancer.updateInstances(List.of(moved));

        assertThat(balancer.picker().pick(FIRST_ATTEMPT).instance().host()).isEqualTo("127.0.0.2");
    }

    @Test
    void shouldSpreadEvenlyWhenPickedConcurrently() throws Exception {
        LoadBalancer balancer = LoadBalancers.roundRobin().newLoadBalancer("orders");
        balancer.updateInstances(List.of(instance(1), instance(2), instance(3), instance(4)));
        Map<String, LongAdder> counts = new ConcurrentHashMap<>();
        int threads = 8;
        int picksPerThread = 10_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < picksPerThread; i++) {
                    String id = balancer.picker().pick(FIRST_ATTEMPT).instance().id();
                    counts.computeIfAbsent(id, k -> new LongAdder()).increment();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> future : futures) {
            future.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(counts).hasSize(4);
        counts.values().forEach(count -> assertThat(count.sum()).isEqualTo(threads * picksPerThread / 4));
    }
}
