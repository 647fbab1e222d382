package io.mesh4j.samples;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.discovery.consul.ConsulDiscovery;
import io.mesh4j.discovery.consul.ConsulRegistration;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Consul: a loopback {@code orders} instance registers itself with the local agent (a TTL check kept passing), a
 * {@link MeshClient} over {@link ConsulDiscovery} finds it and calls it, and closing the registration deregisters
 * it. With no agent listening, it says so and exits with status 2.
 *
 * <p>Start an agent ({@code consul agent -dev}), then run it from the repository root:
 * {@code mvn -B -q -Pdemo -pl samples -am verify -DskipTests -Ddemo.main=io.mesh4j.samples.ConsulSample}; the agent
 * address comes from {@code CONSUL_HTTP_ADDR}, else {@code http://127.0.0.1:8500}.
 */
public final class ConsulSample {

    private ConsulSample() {
    }

    public static void main(String[] args) throws IOException {
        String address = System.getenv("CONSUL_HTTP_ADDR");
        String agentUrl = address == null ? "http://127.0.0.1:8500"
                : address.startsWith("http") ? address : "http://" + address;
        int status = run(agentUrl, System.out);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the sample against the agent at {@code agentUrl}, printing to {@code out}; returns the exit status: 0, 2
     * when no agent answers, 1 when the call through the mesh fails.
     */
    static int run(String agentUrl, PrintStream out) throws IOException {
        LoopbackBackend backend = new LoopbackBackend("orders-1 (registered in Consul)");
        try {
            ServiceInstance self = ServiceInstance.builder("orders", "127.0.0.1", backend.port())
                    .id("orders-sample-1").build();
            ConsulRegistration registration;
            try {
                registration = ConsulRegistration.builder(self).agentUrl(agentUrl).ttl(Duration.ofSeconds(10))
                        .deregisterOnShutdown(false).register();
            } catch (RuntimeException noAgent) {
                out.println("No Consul agent answers at " + agentUrl + " (" + noAgent.getClass().getSimpleName()
                        + ": " + noAgent.getMessage() + ").");
                out.println("Start one with 'consul agent -dev', or set CONSUL_HTTP_ADDR, and run the sample again.");
                return 2;
            }
            try (registration;
                    ConsulDiscovery discovery = ConsulDiscovery.builder().agentUrl(agentUrl).build();
                    MeshClient mesh = MeshClient.builder().discovery(discovery).build()) {
                out.println("Registered " + registration.instance().id() + " with the Consul agent at " + agentUrl);
                try (Response response = mesh.newCall(new Request.Builder().url("http://orders/")
                        .build()).execute()) {
                    out.println("http://orders/ answered by " + response.body().string());
                }
                out.println("Closing the registration deregisters it.");
                return 0;
            } catch (IOException callFailed) {
                out.println("The call through the mesh failed: " + callFailed);
                return 1;
            }
        } finally {
            backend.close();
        }
    }
}
