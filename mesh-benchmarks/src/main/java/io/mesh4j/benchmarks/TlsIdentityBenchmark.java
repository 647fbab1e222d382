package io.mesh4j.benchmarks;

import io.mesh4j.client.MeshClient;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.client.TlsSettings;
import io.mesh4j.lb.LoadBalancers;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the mesh's identity check costs on a reused TLS connection: one call over HTTPS to a loopback JDK server
 * through a service's {@link TlsSettings}, with the identity checked by the mesh ({@code DNS_NAME}: the certificate
 * must carry {@code orders.internal}) or by OkHttp's usual check of the address ({@code ADDRESS}: the certificate
 * carries {@code 127.0.0.1}). Both reuse one kept-alive connection, so the difference is the check alone.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -pl mesh-benchmarks -am package -DskipTests
 * java -jar mesh-benchmarks/target/benchmarks.jar TlsIdentityBenchmark -f 1 -wi 3 -w 3s -i 5 -r 3s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TlsIdentityBenchmark {

    /** Who checks the server's identity. */
    public enum Check { ADDRESS, DNS_NAME }

    @Param
    public Check check;

    private TlsBackends backends;
    private MeshClient mesh;
    private Request request;

    @Setup
    public void setUp() {
        backends = new TlsBackends(1);
        TlsSettings.Builder tls = TlsSettings.builder().trustRoots(backends.rootFile());
        if (check == Check.DNS_NAME) {
            tls.expectDnsNames("orders.internal");
        }
        mesh = MeshClient.builder().discovery(StaticDiscovery.of(backends.instances()))
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).tls(tls.build()).build())
                .build();
        request = new Request.Builder().url("http://orders/v1/items").build();
    }

    @TearDown
    public void tearDown() {
        mesh.close();
        backends.close();
    }

    @Benchmark
    public String call() throws IOException {
        try (Response response = mesh.newCall(request).execute()) {
            return response.body().string();
        }
    }
}
