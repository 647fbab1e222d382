package io.mesh4j.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.discovery.etcd.EtcdConnection;
import io.mesh4j.discovery.etcd.EtcdDiscovery;
import io.mesh4j.lb.LoadBalancers;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Request;
import okhttp3.Response;

/**
 * How fast a change in etcd reaches the traffic of a {@link MeshClient} over {@link io.mesh4j.discovery.etcd
 * EtcdDiscovery}: a real etcd on loopback (started here from the {@code etcd} binary), two JDK {@code HttpServer}
 * backends, one calling thread sending GETs back to back with round robin. Each round writes the second backend's key
 * and measures the time from the write (sent, and acknowledged by etcd) to the first request that backend receives,
 * then deletes the key and measures the time from the delete to the last request it receives. A first round warms
 * up and is not counted. Not JMH: each sample is one event.
 *
 * <p>Run from the repository root (needs {@code etcd}, Debian's {@code etcd-server}):
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -cp mesh-benchmarks/target/benchmarks.jar io.mesh4j.benchmarks.EtcdPropagation 50
 * </pre>
 */
public final class EtcdPropagation {

    private EtcdPropagation() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        // Without it the JDK server's two writes per answer meet the client's delayed ACK: 40 ms a call.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Path data = Files.createTempDirectory("mesh4j-etcd-bench");
        int clientPort = freePort();
        int peerPort = freePort();
        String endpoint = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        Process etcd = new ProcessBuilder("etcd", "--name", "bench", "--data-dir", data.toString(),
                "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint, "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer, "--initial-cluster", "bench=" + peer, "--log-level", "warn")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        AtomicLong firstAtB = new AtomicLong();
        AtomicLong lastAtB = new AtomicLong();
        HttpServer a = backend(null, null);
        HttpServer b = backend(firstAtB, lastAtB);
        Client writer = Client.builder().endpoints(endpoint).build();
        AtomicBoolean running = new AtomicBoolean(true);
        try {
            awaitPort(clientPort);
            put(writer, "a", a.getAddress().getPort());
            long[] appear = new long[rounds];
            long[] afterAck = new long[rounds];
            long[] vanish = new long[rounds];
            try (EtcdDiscovery discovery = EtcdDiscovery.builder().connection(EtcdConnection.of(endpoint)).build();
                    MeshClient mesh = MeshClient.builder().discovery(discovery)
                            .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build())
                            .build()) {
                Thread caller = new Thread(() -> {
                    Request request = new Request.Builder().url("http://orders/").build();
                    while (running.get()) {
                        try (Response response = mesh.newCall(request).execute()) {
                            response.body().bytes();
                        } catch (IOException e) {
                            throw new IllegalStateException("a call failed", e);
                        }
                    }
                }, "bench-caller");
                caller.start();

                for (int round = -1; round < rounds; round++) {
                    firstAtB.set(0);
                    long written = System.nanoTime();
                    put(writer, "b", b.getAddress().getPort());
                    long acknowledged = System.nanoTime();
                    while (firstAtB.get() == 0) {
                        Thread.onSpinWait();
                    }
                    if (round < 0) {
                        // A warm-up round: the first connection to the new instance, and the JIT.
                        writer.getKVClient().delete(key("b")).get(5, TimeUnit.SECONDS);
                        Thread.sleep(300);
                        continue;
                    }
                    appear[round] = firstAtB.get() - written;
                    afterAck[round] = Math.max(0, firstAtB.get() - acknowledged);
                    Thread.sleep(20);
                    long deleted = System.nanoTime();
                    writer.getKVClient().delete(key("b")).get(5, TimeUnit.SECONDS);
                    Thread.sleep(300);
                    vanish[round] = Math.max(0, lastAtB.get() - deleted);
                }
                running.set(false);
                caller.join(5_000);
            }
            report("write sent to the first request at the new instance", appear);
            report("write acknowledged by etcd to the first request at the new instance", afterAck);
            report("delete to the last request at the removed instance", vanish);
        } finally {
            running.set(false);
            writer.close();
            a.stop(0);
            b.stop(0);
            etcd.destroy();
            etcd.waitFor(10, TimeUnit.SECONDS);
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static HttpServer backend(AtomicLong first, AtomicLong last) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            long now = System.nanoTime();
            if (first != null) {
                first.compareAndSet(0, now);
                last.set(now);
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    private static ByteSequence key(String id) {
        return ByteSequence.from("/services/orders/" + id, StandardCharsets.UTF_8);
    }

    private static void put(Client writer, String id, int port) throws Exception {
        String value = "{\"address\":\"127.0.0.1\",\"port\":" + port + "}";
        writer.getKVClient().put(key(id), ByteSequence.from(value, StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%s, %d rounds: p50 %.2f ms, p90 %.2f ms, max %.2f ms%n", what,
                sorted.length, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.9)] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void awaitPort(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IOException("etcd did not start on port " + port);
    }
}
