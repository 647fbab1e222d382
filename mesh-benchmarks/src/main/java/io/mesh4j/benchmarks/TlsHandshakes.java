package io.mesh4j.benchmarks;

import io.mesh4j.client.MeshClient;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.client.TlsSettings;
import io.mesh4j.lb.LoadBalancers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import okhttp3.Request;
import okhttp3.Response;

/**
 * How many TLS handshakes 1,000 calls cost when connections are kept alive: a {@link MeshClient} with a service's
 * own {@link TlsSettings} (identity checked by DNS name) calls three loopback HTTPS instances by round robin, first
 * from one thread, then from four at once; each server counts the handshakes it serves. Connection reuse works per
 * instance when each instance sees about one handshake per thread that calls it at once. Not JMH: it counts.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -cp mesh-benchmarks/target/benchmarks.jar io.mesh4j.benchmarks.TlsHandshakes 1000
 * </pre>
 */
public final class TlsHandshakes {

    private TlsHandshakes() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        try (TlsBackends backends = new TlsBackends(3)) {
            TlsSettings tls = TlsSettings.builder().trustRoots(backends.rootFile()).expectDnsNames("orders.internal")
                    .build();
            try (MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(backends.instances()))
                    .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).tls(tls).build())
                    .build()) {
                run(mesh, calls);
                List<Integer> sequential = backends.handshakes();
                ExecutorService threads = Executors.newFixedThreadPool(4);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    done.add(threads.submit(() -> {
                        run(mesh, calls / 4);
                        return null;
                    }));
                }
                for (Future<?> future : done) {
                    future.get();
                }
                threads.shutdown();
                List<Integer> total = backends.handshakes();
                List<Integer> concurrent = new ArrayList<>();
                for (int i = 0; i < total.size(); i++) {
                    concurrent.add(total.get(i) - sequential.get(i));
                }
                System.out.printf("%d calls from 1 thread: handshakes per instance %s, %d in all%n", calls,
                        sequential, sequential.stream().mapToInt(Integer::intValue).sum());
                System.out.printf("%d calls from 4 threads: new handshakes per instance %s, %d in all%n",
                        calls / 4 * 4, concurrent, concurrent.stream().mapToInt(Integer::intValue).sum());
            }
        }
    }

    private static void run(MeshClient mesh, int calls) throws IOException {
        for (int i = 0; i < calls; i++) {
            try (Response response = mesh.newCall(new Request.Builder().url("http://orders/v1/items").build())
                    .execute()) {
                response.body().string();
            }
        }
    }
}
