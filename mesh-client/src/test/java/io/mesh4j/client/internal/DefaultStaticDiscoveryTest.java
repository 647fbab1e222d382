package io.mesh4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Subscription;
import io.mesh4j.client.StaticDiscovery;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DefaultStaticDiscoveryTest {

    private static ServiceInstance orders(int port) {
        return ServiceInstance.builder("orders", "127.0.0.1", port).build();
    }

    @Test
    void shouldGroupInstancesByServiceWhenCreated() {
        ServiceInstance payments = ServiceInstance.builder("payments", "127.0.0.1", 9).build();
        StaticDiscovery discovery = StaticDiscovery.of(orders(1), payments, orders(2));

        assertThat(discovery.instances("orders")).containsExactly(orders(1), orders(2));
        assertThat(discovery.instances("payments")).containsExactly(payments);
        assertThat(discovery.instances("unknown")).isNull();
    }

    @Test
    void shouldTellSubscriberCurrentSetAndEveryChangeInOrder() {
        StaticDiscovery discovery = StaticDiscovery.of(orders(1));
        List<List<ServiceInstance>> seen = new ArrayList<>();

        Subscription subscription = discovery.subscribe("orders", (service, instances) -> seen.add(instances));
        discovery.addInstance(orders(2));
        discovery.removeInstance("orders", "127.0.0.1:1");
        discovery.removeService("orders");
        subscription.close();
        discovery.setInstances("orders", List.of(orders(3)));

        assertThat(seen).containsExactly(
                List.of(orders(1)), List.of(orders(1), orders(2)), List.of(orders(2)), List.of());
        assertThat(discovery.instances("orders")).containsExactly(orders(3));
    }

    @Test
    void shouldKnowServiceWithEmptyListWhenSetToNoInstances() {
        StaticDiscovery discovery = StaticDiscovery.of();
        discovery.setInstances("orders", List.of());

        assertThat(discovery.instances("orders")).isEmpty();
    }

    @Test
    void shouldReplaceInstanceWithSameIdWhenAdded() {
        StaticDiscovery discovery = StaticDiscovery.of(orders(1));
        ServiceInstance moved = ServiceInstance.builder("orders", "127.0.0.2", 1).id("127.0.0.1:1").build();

        discovery.addInstance(moved);

        assertThat(discovery.instances("orders")).containsExactly(moved);
        assertThat(discovery.removeInstance("orders", "nope")).isFalse();
        assertThat(discovery.removeInstance("nope", "nope")).isFalse();
    }

    @Test
    void shouldKeepNotifyingOthersWhenAListenerThrows() {
        StaticDiscovery discovery = StaticDiscovery.of(orders(1));
        List<Integer> sizes = new ArrayList<>();
        discovery.subscribe("orders", (service, instances) -> {
            throw new IllegalStateException("bad listener");
        });
        discovery.subscribe("orders", (service, instances) -> sizes.add(instances.size()));

        discovery.addInstance(orders(2));

        assertThat(sizes).containsExactly(1, 2);
        assertThat(discovery.instances("orders")).hasSize(2);
    }

    @Test
    void shouldRejectWhenInstancesBelongElsewhereOrShareAnId() {
        StaticDiscovery discovery = StaticDiscovery.of();

        assertThatThrownBy(() -> discovery.setInstances("payments", List.of(orders(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("instances[0].service: 'orders' (expected: 'payments')");
        assertThatThrownBy(() -> discovery.setInstances("orders", List.of(orders(1), orders(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("instances[1].id: '127.0.0.1:1' (expected: unique within service 'orders')");
        assertThatThrownBy(() -> StaticDiscovery.of(orders(1), orders(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(discovery.instances("orders")).isNull();
    }

    @Test
    void shouldEndWithLastWrittenSetWhenChangedConcurrently() throws Exception {
        StaticDiscovery discovery = StaticDiscovery.of();
        List<List<ServiceInstance>> seen = new CopyOnWriteArrayList<>();
        discovery.subscribe("orders", (service, instances) -> seen.add(instances));
        int threads = 4;
        int adds = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * adds;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 1; i <= adds; i++) {
                    discovery.addInstance(orders(base + i));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> future : futures) {
            future.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(discovery.instances("orders")).hasSize(threads * adds);
        assertThat(seen).hasSize(threads * adds);
        for (int i = 0; i < seen.size(); i++) {
            assertThat(seen.get(i)).as("notification %d", i).hasSize(i + 1);
        }
    }
}
