package io.mesh4j.lb.internal;

import static io.mesh4j.lb.internal.TestBalancers.FIRST_ATTEMPT;
import static io.mesh4j.lb.internal.TestBalancers.instance;
import static io.mesh4j.lb.internal.TestBalancers.endpoint;
import static io.mesh4j.lb.internal.TestBalancers.instances;
import static io.mesh4j.lb.internal.TestBalancers.pickId;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.api.balancer.RequestContext;
import io.mesh4j.lb.Algorithm;
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

class RoundRobinSelectionTest {

    private final TestBalancers test = new TestBalancers();

    private MeshLoadBalancer roundRobin(List<ServiceInstance> instances) {
        return test.balancer(test.config().algorithm(Algorithm.ROUND_ROBIN).build(), instances);
    }

    @Test
    void shouldPickEachInstanceInTurnWhenInstancesAreSet() {
        MeshLoadBalancer balancer = roundRobin(instances("a", "b", "c"));

        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picks.add(pickId(balancer.picker()));
        }

        assertThat(picks).containsExactly("a", "b", "c", "a", "b", "c");
    }

    @Test
    void shouldPickNothingWhenNoInstances() {
        LoadBalancer balancer = LoadBalancers.roundRobin().newLoadBalancer("orders");
        assertThat(balancer.picker().pick(FIRST_ATTEMPT)).isNull();

        balancer.updateInstances(instances("a"));
        balancer.updateInstances(List.of());

        assertThat(balancer.picker().pick(FIRST_ATTEMPT)).isNull();
    }

    @Test
    void shouldSkipTriedInstancesWhenOthersRemain() {
        List<ServiceInstance> all = instances("a", "b", "c");
        MeshLoadBalancer balancer = roundRobin(all);
        RequestContext retry = RequestContext.of("orders", "GET", "/", null, 3, List.of(all.get(0), all.get(1)));

        for (int i = 0; i < 10; i++) {
            assertThat(balancer.picker().pick(retry).instance().id()).isEqualTo("c");
        }
    }

    @Test
    void shouldPickATriedInstanceWhenAllWereTried() {
        List<ServiceInstance> all = instances("a", "b");
        MeshLoadBalancer balancer = roundRobin(all);

        assertThat(balancer.picker().pick(RequestContext.of("orders", "GET", "/", null, 3, all))).isNotNull();
    }

    @Test
    void shouldKeepEndpointsAndRotationWhenInstanceSetChanges() {
        MeshLoadBalancer balancer = roundRobin(instances("a", "b"));
        Endpoint a = endpoint(balancer, "a");

        balancer.updateInstances(instances("a", "b", "c"));

        Picker picker = balancer.picker();
        List<String> rotation = List.of(pickId(picker), pickId(picker), pickId(picker));
        assertThat(rotation).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(List.of(pickId(picker), pickId(picker), pickId(picker))).isEqualTo(rotation);
        assertThat(endpoint(balancer, "a")).isSameAs(a);
    }

    @Test
    void shouldSpreadEvenlyWhenThreadsPickAtOnce() throws Exception {
        MeshLoadBalancer balancer = roundRobin(instances("a", "b", "c", "d"));
        java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> counts =
                new java.util.concurrent.ConcurrentHashMap<>();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    counts.computeIfAbsent(pickId(balancer.picker()), id -> new java.util.concurrent.atomic.LongAdder())
                            .increment();
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(counts).hasSize(4);
        counts.values().forEach(count -> assertThat(count.sum()).isEqualTo(10_000));
    }

    @Test
    void shouldUseNewInstanceDataWhenSameIdChanges() {
        MeshLoadBalancer balancer = roundRobin(List.of(instance("a")));
        ServiceInstance moved = ServiceInstance.builder("orders", "127.0.0.2", 9090).id("a").build();

        balancer.updateInstances(List.of(moved));

        assertThat(balancer.picker().pick(FIRST_ATTEMPT).instance().host()).isEqualTo("127.0.0.2");
    }

    @Test
    void shouldSpreadEvenlyWhenPickedConcurrently() throws Exception {
        MeshLoadBalancer balancer = roundRobin(instances("a", "b", "c", "d"));
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
                    counts.computeIfAbsent(pickId(balancer.picker()), k -> new LongAdder()).increment();
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
