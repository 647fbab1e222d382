package io.mesh4j.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ConsulSampleTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void shouldSayNoAgentAnswersAndExitWithTwoWhenNothingListens() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }

        int status = ConsulSample.run("http://127.0.0.1:" + closed, out);

        assertThat(status).isEqualTo(2);
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .startsWith("No Consul agent answers at http://127.0.0.1:" + closed)
                .contains("consul agent -dev");
    }

    @Test
    void shouldRegisterDiscoverCallAndDeregisterWhenAgentAnswers() throws IOException {
        List<String> requests = new CopyOnWriteArrayList<>();
        String[] registered = new String[1];
        HttpServer agent = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        agent.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            requests.add(exchange.getRequestMethod() + " " + path);
            byte[] answer = new byte[0];
            if (path.equals("/v1/agent/service/register")) {
                registered[0] = body;
            } else if (path.equals("/v1/health/service/orders")) {
                answer = health(registered[0]).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("X-Consul-Index", "5");
                exchange.getResponseHeaders().set("Content-Type", "application/json");
            }
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            try (OutputStream response = exchange.getResponseBody()) {
                response.write(answer);
            }
        });
        agent.start();
        try {
            int status = ConsulSample.run("http://127.0.0.1:" + agent.getAddress().getPort(), out);

            assertThat(status).as(printed.toString(StandardCharsets.UTF_8)).isZero();
        } finally {
            agent.stop(0);
        }

        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("http://orders/ answered by orders-1 (registered in Consul)");
        assertThat(requests).contains("PUT /v1/agent/service/register",
                "PUT /v1/agent/service/deregister/orders-sample-1");
    }

    /** Consul's documented health answer for the instance the sample registered ({@code []} before it did). */
    private static String health(String registration) {
        if (registration == null) {
            return "[]";
        }
        Matcher port = Pattern.compile("\"Port\"\\s*:\\s*(\\d+)").matcher(registration);
        if (!port.find()) {
            return "[]";
        }
        return "[{\"Node\": {\"Node\": \"sample-node\", \"Address\": \"127.0.0.1\", \"Meta\": {}},"
                + " \"Service\": {\"ID\": \"orders-sample-1\", \"Service\": \"orders\", \"Tags\": [],"
                + " \"Address\": \"127.0.0.1\", \"Meta\": {}, \"Port\": " + port.group(1) + ","
                + " \"Weights\": {\"Passing\": 1, \"Warning\": 1}}, \"Checks\": []}]";
    }
}
