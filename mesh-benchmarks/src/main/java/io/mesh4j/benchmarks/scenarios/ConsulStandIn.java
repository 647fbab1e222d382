package io.mesh4j.benchmarks.scenarios;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Consul's health endpoint for one service, {@code GET /v1/health/service/<name>}, with blocking queries as
 * HashiCorp documents them: a query whose {@code index} is at or past the current {@code X-Consul-Index} is held
 * until the service changes or its {@code wait} ends. Bodies have the shape of Consul's documented answer (Node,
 * Service and Checks of each passing instance). {@code /v1/catalog/service/<name>} answers the same instances.
 * Counts the queries it receives.
 *
 * <p>Thread-safe. A held query holds one server thread, as it holds one connection on a real agent.
 */
final class ConsulStandIn implements AutoCloseable {

    private final String service;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "consul-stand-in");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Integer> instances = new LinkedHashMap<>();
    private final AtomicLong queries = new AtomicLong();
    private long index = 10;

    ConsulStandIn(String service) throws IOException {
        this.service = service;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.createContext("/v1/health/service/" + service, this::health);
        server.createContext("/v1/catalog/service/" + service, this::health);
        server.setExecutor(threads);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    long queries() {
        return queries.get();
    }

    synchronized void register(String id, int port) {
        instances.put(id, port);
        index++;
        notifyAll();
    }

    synchronized void deregister(String id) {
        instances.remove(id);
        index++;
        notifyAll();
    }

    private void health(HttpExchange exchange) throws IOException {
        queries.incrementAndGet();
        Map<String, String> query = parameters(exchange.getRequestURI());
        String body;
        long answeredIndex;
        try {
            synchronized (this) {
                if (query.containsKey("index")) {
                    long seen = Long.parseLong(query.get("index"));
                    long deadline = System.nanoTime() + waitNanos(query.get("wait"));
                    while (index <= seen && System.nanoTime() < deadline) {
                        TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
                    }
                }
                answeredIndex = index;
                body = body();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("X-Consul-Index", Long.toString(answeredIndex));
        exchange.getResponseHeaders().set("X-Consul-KnownLeader", "true");
        exchange.getResponseHeaders().set("X-Consul-LastContact", "0");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private String body() {
        StringBuilder json = new StringBuilder("[");
        for (Map.Entry<String, Integer> instance : instances.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            String id = instance.getKey();
            json.append("{\"Node\":{\"ID\":\"40e4a748-2192-161a-0510-9bf59fe950b5\",\"Node\":\"node-").append(id)
                    .append("\",\"Address\":\"127.0.0.1\",\"Datacenter\":\"dc1\",\"TaggedAddresses\":{\"lan\":"
                            + "\"127.0.0.1\",\"wan\":\"127.0.0.1\"},\"Meta\":{}},")
                    .append("\"Service\":{\"ID\":\"").append(id).append("\",\"Service\":\"").append(service)
                    .append("\",\"Tags\":[],\"Address\":\"127.0.0.1\",\"Meta\":{},\"Port\":")
                    .append(instance.getValue())
                    .append(",\"Weights\":{\"Passing\":1,\"Warning\":1},\"Namespace\":\"default\"},")
                    .append("\"Checks\":[{\"Node\":\"node-").append(id).append("\",\"CheckID\":\"service:").append(id)
                    .append("\",\"Name\":\"Service '").append(service).append("' check\",\"Status\":\"passing\","
                            + "\"Notes\":\"\",\"Output\":\"\",\"ServiceID\":\"").append(id)
                    .append("\",\"ServiceName\":\"").append(service).append("\",\"ServiceTags\":[],"
                            + "\"Namespace\":\"default\"}]}");
        }
        return json.append(']').toString();
    }

    private static long waitNanos(String wait) {
        if (wait == null) {
            return TimeUnit.MINUTES.toNanos(5);
        }
        if (wait.endsWith("ms")) {
            return TimeUnit.MILLISECONDS.toNanos(Long.parseLong(wait.substring(0, wait.length() - 2)));
        }
        long amount = Long.parseLong(wait.substring(0, wait.length() - 1));
        return wait.endsWith("m") ? TimeUnit.MINUTES.toNanos(amount) : TimeUnit.SECONDS.toNanos(amount);
    }

    private static Map<String, String> parameters(URI uri) {
        Map<String, String> parameters = new LinkedHashMap<>();
        String query = uri.getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                int equals = pair.indexOf('=');
                parameters.put(equals < 0 ? pair : pair.substring(0, equals),
                        equals < 0 ? "" : pair.substring(equals + 1));
            }
        }
        return parameters;
    }

    @Override
    public void close() {
        synchronized (this) {
            index++;
            notifyAll();
        }
        server.stop(0);
        threads.shutdownNow();
    }
}
