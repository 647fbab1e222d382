package io.mesh4j.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.discovery.etcd.internal.EtcdClients;
import io.mesh4j.discovery.etcd.internal.InstanceCodec;
import io.mesh4j.discovery.etcd.internal.PrefixWatch;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link EtcdDiscovery} against a real etcd on loopback: each test writes under its own prefix with a plain jetcd
 * client, as any registrar would, and asserts what discovery and its subscribers see.
 */
class EtcdDiscoveryTest {

    private static EtcdServer etcd;
    private static Client writer;
    private static int prefixes;

    private final String prefix = "/test-" + (++prefixes) + "/";
    private final InstanceCodec codec = new InstanceCodec(prefix);
    private final List<List<ServiceInstance>> seen = new CopyOnWriteArrayList<>();
    private EtcdDiscovery discovery;

    @BeforeAll
    static void startEtcd() throws IOException {
        etcd = EtcdServer.started();
        writer = EtcdClients.create(List.of(etcd.endpoint()), null, null);
    }

    @AfterAll
    static void stopEtcd() {
        writer.close();
        etcd.close();
    }

    @AfterEach
    void closeDiscovery() {
        if (discovery != null) {
            discovery.close();
        }
    }

    private static ConditionFactory eventually() {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20));
    }

    private static ServiceInstance orders(String id, int port) {
        return ServiceInstance.builder("orders", "10.0.0." + port % 250, port).id(id).zone("eu-1a").tags("v2")
                .metadata("team", "checkout").build();
    }

    private void put(ServiceInstance instance) throws Exception {
        writer.getKVClient().put(EtcdClients.bytes(codec.key(instance)), EtcdClients.bytes(codec.value(instance)))
                .get(5, TimeUnit.SECONDS);
    }

    private void putRaw(String key, String value) throws Exception {
        writer.getKVClient().put(EtcdClients.bytes(prefix + key), EtcdClients.bytes(value)).get(5, TimeUnit.SECONDS);
    }

    private void delete(ServiceInstance instance) throws Exception {
        writer.getKVClient().delete(EtcdClients.bytes(codec.key(instance))).get(5, TimeUnit.SECONDS);
    }

    private EtcdDiscovery.Builder discoveryOf(String endpoint) {
        return EtcdDiscovery.builder().connection(EtcdConnection.of(endpoint)).prefix(prefix)
                .probeInterval(Duration.ofMillis(100))
                .errorBackoff(Duration.ofMillis(50), Duration.ofMillis(500));
    }

    /** Builds the discovery, subscribes to orders and waits until the subscriber has seen {@code expected}. */
    private void follow(EtcdDiscovery.Builder builder, ServiceInstance... expected) {
        discovery = builder.build();
        discovery.subscribe("orders", (service, instances) -> seen.add(instances));
        eventually().until(() -> List.of(expected).equals(lastSeen()));
    }

    /** Writes to etcd between discovery's read and its watch. */
    private static PrefixWatch.BeforeWatch writing(Write write) {
        return revision -> {
            try {
                write.to(revision);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @FunctionalInterface
    private interface Write {
        void to(long readRevision) throws Exception;
    }

    private List<ServiceInstance> lastSeen() {
        return seen.isEmpty() ? null : seen.get(seen.size() - 1);
    }

    @Test
    void shouldSeeAddsValueChangesAndRemovalsWithinOneWatchEvent() throws Exception {
        ServiceInstance one = orders("o1", 8081);
        ServiceInstance two = orders("o2", 8082);
        put(one);
        put(two);
        discovery = discoveryOf(etcd.endpoint()).build();

        assertThat(discovery.instances("orders")).containsExactly(one, two);
        assertThat(discovery.instances("carts")).as("no key names it").isNull();
        discovery.subscribe("orders", (service, instances) -> seen.add(instances));
        eventually().until(() -> List.of(one, two).equals(lastSeen()));

        ServiceInstance three = orders("o3", 8083);
        put(three);
        eventually().until(() -> List.of(one, two, three).equals(lastSeen()));
        ServiceInstance moved = one.toBuilder().weight(50).build();
        put(moved);
        eventually().until(() -> List.of(moved, two, three).equals(lastSeen()));
        delete(two);
        eventually().until(() -> List.of(moved, three).equals(lastSeen()));
        delete(moved);
        delete(three);
        eventually().until(() -> List.of().equals(lastSeen()));

        assertThat(seen).as("one notification per change, in order").hasSize(6);
        assertThat(discovery.staleness("orders")).isEqualTo(Duration.ZERO);
    }

    @Test
    void shouldNotLoseChangeMadeBetweenReadAndWatchStart() throws Exception {
        ServiceInstance before = orders("before", 8081);
        ServiceInstance between = orders("between", 8082);
        put(before);
        discovery = discoveryOf(etcd.endpoint()).build(writing(revision -> put(between)));
        discovery.subscribe("orders", (service, instances) -> seen.add(instances));

        eventually().until(() -> List.of(before, between).equals(lastSeen()));
        assertThat(discovery.instances("orders")).containsExactly(before, between);
    }

    @Test
    void shouldSkipMalformedValuesAndKeepTheRestWhenReadingAndWatching() throws Exception {
        ServiceInstance good = orders("good", 8081);
        put(good);
        putRaw("orders/broken", "{\"address\": 42}");
        discovery = discoveryOf(etcd.endpoint()).build();

        assertThat(discovery.instances("orders")).containsExactly(good);
        putRaw("orders/garbage", "not json");
        ServiceInstance later = orders("later", 8082);
        put(later);
        eventually().until(() -> List.of(good, later).equals(discovery.instances("orders")));
    }

    @Test
    void shouldKeepLastGoodSetWhileEtcdIsDownAndFollowChangesWhenItReturns() throws Exception {
        ServiceInstance one = orders("o1", 8081);
        put(one);
        try (TcpProxy proxy = new TcpProxy(etcd.port())) {
            follow(discoveryOf(proxy.endpoint()), one);

            proxy.cut();
            eventually().until(() -> discovery.staleness("orders").compareTo(Duration.ofMillis(300)) > 0);
            assertThat(discovery.instances("orders")).as("the last good set").containsExactly(one);
            ServiceInstance two = orders("o2", 8082);
            put(two);
            proxy.restore();

            eventually().until(() -> List.of(one, two).equals(lastSeen()));
            eventually().until(() -> Duration.ZERO.equals(discovery.staleness("orders")));
            assertThat(seen).as("never an empty set").noneMatch(List::isEmpty);
        }
    }

    @Test
    void shouldReadAgainWithoutEmptySetWhenEtcdCompactedPastTheWatchRevision() throws Exception {
        ServiceInstance one = orders("o1", 8081);
        ServiceInstance two = orders("o2", 8082);
        put(one);
        discovery = discoveryOf(etcd.endpoint()).build(writing(revision -> {
            put(two);
            delete(one);
            writer.getKVClient().compact(revision + 2).get(5, TimeUnit.SECONDS);
        }));
        discovery.subscribe("orders", (service, instances) -> seen.add(instances));

        eventually().until(() -> List.of(two).equals(lastSeen()));
        assertThat(seen).as("never an empty set").noneMatch(List::isEmpty);
    }

    @Test
    void shouldReadAgainWithoutEmptySetWhenCutOffWhileKeysChangedAndEtcdCompacted() throws Exception {
        ServiceInstance one = orders("o1", 8081);
        put(one);
        try (TcpProxy proxy = new TcpProxy(etcd.port())) {
            follow(discoveryOf(proxy.endpoint()), one);

            proxy.cut();
            ServiceInstance two = orders("o2", 8082);
            put(two);
            delete(one);
            ServiceInstance three = orders("o3", 8083);
            put(three);
            long head = writer.getKVClient().get(ByteSequence.from(new byte[] {0})).get(5, TimeUnit.SECONDS)
                    .getHeader().getRevision();
            writer.getKVClient().compact(head).get(5, TimeUnit.SECONDS);
            proxy.restore();

            eventually().until(() -> List.of(two, three).equals(lastSeen()));
            assertThat(seen).as("never an empty set").noneMatch(List::isEmpty);
        }
    }

    @Test
    void shouldHideInstancesFromSubscribersWhenEtcdIsAwayLongerThanMaxStaleness() throws Exception {
        ServiceInstance one = orders("o1", 8081);
        put(one);
        try (TcpProxy proxy = new TcpProxy(etcd.port())) {
            follow(discoveryOf(proxy.endpoint()).maxStaleness(Duration.ofMillis(300)), one);

            proxy.cut();
            eventually().until(() -> List.of().equals(lastSeen()));
            proxy.restore();

            eventually().until(() -> List.of(one).equals(lastSeen()));
        }
    }

    @Test
    void shouldSayEtcdDidNotAnswerWhenItNeverDid() throws Exception {
        try (TcpProxy proxy = new TcpProxy(etcd.port())) {
            proxy.cut();
            discovery = discoveryOf(proxy.endpoint()).firstLookupTimeout(Duration.ofMillis(200)).build();

            assertThat(discovery.instances("orders")).isNull();
            eventually().until(() -> discovery.failure("orders") != null);
            assertThat(discovery.failure("orders")).hasMessageContaining("etcd at [" + proxy.endpoint() + "]");
            assertThat(discovery.staleness("orders")).isNull();
        }
    }

    @Test
    void shouldNameFieldAndRangeWhenSettingsAreInvalid() {
        assertThatThrownBy(() -> EtcdDiscovery.builder().prefix("services").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("prefix: 'services'");
        assertThatThrownBy(() -> EtcdConnection.of("127.0.0.1:2379"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endpoints: '127.0.0.1:2379'");
        assertThatThrownBy(() -> EtcdDiscovery.builder().probeInterval(Duration.ofMillis(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("probeInterval: 1ms");
    }
}
