package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.LoadBalancerFactory;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.resilience.ServiceGuard;
import io.mesh4j.resilience.TimeoutConfig;
import io.mesh4j.routing.MeshPolicy;
import io.mesh4j.routing.Route;
import io.mesh4j.routing.ServiceRoutes;
import io.mesh4j.routing.Subset;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** A policy replaced while traffic flows: nothing fails, new calls follow it, what the balancers learnt stays. */
class PolicySwapTest {

    private static final Subset V1 = Subset.builder("v1").metadata("version", "v1").build();
    private static final Subset V2 = Subset.builder("v2").metadata("version", "v2").build();

    /** Every request to {@code to}; {@code fallback} when it has none. */
    private static MeshPolicy allTo(String to, String fallback) {
        return MeshPolicy.builder().service(ServiceRoutes.builder("orders").subset(V1).subset(V2)
                .route(Route.builder("all").to(to).build()).fallbackSubset(fallback).build()).build();
    }

    /** A call as one of the traffic threads saw it. */
    private static final class Sent {
        final boolean startedAfterSwap;
        final boolean endedBeforeSwap;
        final String answer;

        Sent(boolean endedBeforeSwap, boolean startedAfterSwap, String answer) {
            this.endedBeforeSwap = endedBeforeSwap;
            this.startedAfterSwap = startedAfterSwap;
            this.answer = answer;
        }
    }

    @Test
    void shouldFailNoCallAndKeepSubsetBalancersWhenPolicyIsSwappedUnderFourThreads() throws Exception {
        RecordingBalancers balancers = new RecordingBalancers();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (VersionedBackends backends = new VersionedBackends().add("v1-a", "v1").add("v1-b", "v1")
                .add("v2-a", "v2").add("v2-b", "v2");
                MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(backends.instances()))
                        .defaultSettings(ServiceSettings.custom().balancer(balancers).build())
                        .meterRegistry(meters)
                        .policy(allTo("v1", "v2")).build()) {
            AtomicBoolean swapStarted = new AtomicBoolean();
            AtomicBoolean swapped = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger afterSwap = new AtomicInteger();
            Queue<Sent> sent = new ConcurrentLinkedQueue<>();
            List<Future<?>> senders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                senders.add(threads.submit(() -> {
                    while (!stop.get()) {
                        boolean after = swapped.get();
                        try (Response response = mesh.newCall(new Request.Builder().url("http://orders/x").build())
                                .execute()) {
                            String answer = response.body().string();
                            // Read after the call: one that ended before the swap began was surely routed before
                            // it (read before the call, a thread paused after reading could start it after).
                            sent.add(new Sent(!swapStarted.get(), after, answer));
                        }
                        if (after) {
                            afterSwap.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() >= 200);
            ServiceGuard guard = mesh.guard("orders");
            assertThat(balancers.created).as("the whole service, v1 and its fallback v2").hasSize(3);
            long v2PicksBefore = balancers.picks(V2.name());

            swapStarted.set(true);
            mesh.updatePolicy(allTo("v2", "v1"));
            swapped.set(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> afterSwap.get() >= 400);
            stop.set(true);
            for (Future<?> sender : senders) {
                sender.get();
            }

            assertThat(sent).filteredOn(call -> call.endedBeforeSwap).isNotEmpty()
                    .allSatisfy(call -> assertThat(call.answer).startsWith("v1-"));
            assertThat(sent).filteredOn(call -> call.startedAfterSwap).hasSizeGreaterThanOrEqualTo(400)
                    .allSatisfy(call -> assertThat(call.answer).startsWith("v2-"));
            assertThat(backends.total()).as("every call answered, each read once").isEqualTo(sent.size());
            assertThat(balancers.created).as("subsets declared alike keep their balancers").hasSize(3);
            assertThat(balancers.picks(V2.name())).isGreaterThan(v2PicksBefore);
            assertThat(mesh.guard("orders")).isSameAs(guard);
            assertThat(meters.get("mesh.policy.updates").tags("source", "code", "result", "applied").counter()
                    .count()).isEqualTo(1);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void shouldKeepPolicyAndCountRejectionWhenUpdateDoesNotFitServiceSettings() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (VersionedBackends backends = new VersionedBackends().add("v1-a", "v1").add("v2-a", "v2");
                MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(backends.instances()))
                        .defaultSettings(ServiceSettings.custom().timeouts(TimeoutConfig.custom()
                                .perTryTimeout(Duration.ofSeconds(1)).build()).build())
                        .meterRegistry(meters).policy(allTo("v1", "v2")).build()) {
            MeshPolicy before = mesh.policy();
            MeshPolicy tooShort = MeshPolicy.builder().service(ServiceRoutes.builder("orders").subset(V2)
                    .route(Route.builder("all").to("v2").timeout(Duration.ofMillis(10)).build()).build()).build();

            assertThatThrownBy(() -> mesh.updatePolicy(tooShort)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("route 'all' of service 'orders'");

            assertThat(mesh.policy()).isSameAs(before);
            try (Response response = mesh.newCall(new Request.Builder().url("http://orders/x").build()).execute()) {
                assertThat(response.body().string()).isEqualTo("v1-a");
            }
            assertThat(meters.get("mesh.policy.updates").tags("result", "rejected").counter().count()).isEqualTo(1);
            assertThat(backends.count("v2")).isZero();
        }
    }

    @Test
    void shouldCreateBalancerForNewSubsetAndDropUnusedOneWhenPolicyChangesSubsets() throws Exception {
        RecordingBalancers balancers = new RecordingBalancers();
        try (VersionedBackends backends = new VersionedBackends().add("v1-a", "v1").add("v2-a", "v2")
                .add("v3-a", "v3");
                MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(backends.instances()))
                        .defaultSettings(ServiceSettings.custom().balancer(balancers).build())
                        .policy(allTo("v1", "v2")).build()) {
            try (Response response = mesh.newCall(new Request.Builder().url("http://orders/x").build()).execute()) {
                assertThat(response.body().string()).isEqualTo("v1-a");
            }
            Subset v3 = Subset.builder("v3").metadata("version", "v3").build();
            mesh.updatePolicy(MeshPolicy.builder().service(ServiceRoutes.builder("orders").subset(V1).subset(v3)
                    .route(Route.builder("all").to("v3").build()).fallbackSubset("v1").build()).build());

            try (Response response = mesh.newCall(new Request.Builder().url("http://orders/x").build()).execute()) {
                assertThat(response.body().string()).isEqualTo("v3-a");
            }
            assertThat(balancers.created).extracting(created -> created.subsetHint)
                    .containsExactlyInAnyOrder("whole", "v1", "v2", "v3")
                    .last().as("made by the update").isEqualTo("v3");
            assertThat(balancers.closed.get()).as("v2's balancer, no longer used").isEqualTo(1);
            assertThat(backends.received(2)).hasSize(1);
        }
    }

    /**
     * Peak-EWMA balancers that remember their creation, count their closes and, per subset (told by the version of
     * the instances they hold), their picks.
     */
    private static final class RecordingBalancers implements LoadBalancerFactory {
        final List<Recording> created = new CopyOnWriteArrayList<>();
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public LoadBalancer newLoadBalancer(String service) {
            return newLoadBalancer(service, Ticker.system());
        }

        @Override
        public LoadBalancer newLoadBalancer(String service, Ticker ticker) {
            Recording recording = new Recording(LoadBalancers.peakEwma().newLoadBalancer(service, ticker));
            created.add(recording);
            return recording;
        }

        long picks(String version) {
            return created.stream().filter(balancer -> version.equals(balancer.subsetHint))
                    .mapToLong(balancer -> balancer.picks.get()).sum();
        }

        private final class Recording implements LoadBalancer {
            final LoadBalancer delegate;
            final AtomicLong picks = new AtomicLong();
            volatile String subsetHint = "?";

            Recording(LoadBalancer delegate) {
                this.delegate = delegate;
            }

            @Override
            public void updateInstances(List<ServiceInstance> instances) {
                long versions = instances.stream().map(instance -> instance.metadata().get("version")).distinct()
                        .count();
                subsetHint = versions == 1 ? instances.get(0).metadata().get("version") : "whole";
                delegate.updateInstances(instances);
            }

            @Override
            public Picker picker() {
                picks.incrementAndGet();
                return delegate.picker();
            }

            @Override
            public void updateHealth(String instanceId, boolean healthy) {
                delegate.updateHealth(instanceId, healthy);
            }

            @Override
            public void close() {
                closed.incrementAndGet();
                delegate.close();
            }
        }
    }
}
