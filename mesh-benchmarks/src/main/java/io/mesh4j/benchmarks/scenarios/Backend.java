package io.mesh4j.benchmarks.scenarios;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JDK {@code HttpServer} on loopback that counts every request it reads: the wire side of a scenario. What it
 * answers ({@link Answer}) can change at any time; a delayed answer is scheduled, so a slow backend holds no thread
 * while it waits. {@link #kill()} stops the server (its connections close and its port refuses) and
 * {@link #restart()} binds the same port again.
 *
 * <p>Thread-safe.
 */
final class Backend implements AutoCloseable {

    /** What a backend answers: a status after a delay, with an optional {@code Retry-After} header. */
    record Answer(int status, long delayMillis, String retryAfter) {

        static Answer ok(long delayMillis) {
            return new Answer(200, delayMillis, null);
        }

        static Answer unavailable(long delayMillis, String retryAfter) {
            return new Answer(503, delayMillis, retryAfter);
        }
    }

    private static final byte[] BODY = "ok".getBytes(StandardCharsets.US_ASCII);

    private final String id;
    private final int port;
    private final ExecutorService serverThreads;
    private final ScheduledExecutorService delays;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong lastRequestNanos = new AtomicLong();
    private final AtomicLong firstRequestAfterMark = new AtomicLong();
    private volatile Answer answer;
    private volatile HttpServer server;

    private Backend(String id, int port, Answer answer, ExecutorService serverThreads,
            ScheduledExecutorService delays) throws IOException {
        this.id = id;
        this.answer = answer;
        this.serverThreads = serverThreads;
        this.delays = delays;
        this.server = bind(port);
        this.port = server.getAddress().getPort();
    }

    static Backend start(String id, Answer answer, ExecutorService serverThreads, ScheduledExecutorService delays)
            throws IOException {
        return new Backend(id, 0, answer, serverThreads, delays);
    }

    private HttpServer bind(int port) throws IOException {
        HttpServer created = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        created.createContext("/", this::handle);
        created.setExecutor(serverThreads);
        created.start();
        return created;
    }

    private void handle(HttpExchange exchange) {
        long now = System.nanoTime();
        received.incrementAndGet();
        lastRequestNanos.set(now);
        firstRequestAfterMark.compareAndSet(0, now);
        Answer current = answer;
        if (current.delayMillis() > 0) {
            delays.schedule(() -> respond(exchange, current), current.delayMillis(), TimeUnit.MILLISECONDS);
        } else {
            respond(exchange, current);
        }
    }

    private static void respond(HttpExchange exchange, Answer answer) {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (answer.retryAfter() != null) {
                exchange.getResponseHeaders().set("Retry-After", answer.retryAfter());
            }
            exchange.sendResponseHeaders(answer.status(), BODY.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(BODY);
            }
        } catch (IOException e) {
            // The caller gave up (a hedge lost, a timeout): nothing to answer.
        }
    }

    String id() {
        return id;
    }

    int port() {
        return port;
    }

    void answer(Answer answer) {
        this.answer = answer;
    }

    /** Requests read since this backend started. */
    long received() {
        return received.get();
    }

    /** {@link System#nanoTime()} of the last request read, 0 if none. */
    long lastRequestNanos() {
        return lastRequestNanos.get();
    }

    /** Forgets the first request seen, so that {@link #firstRequestAfterMark()} tells the next one. */
    void mark() {
        firstRequestAfterMark.set(0);
    }

    /** {@link System#nanoTime()} of the first request read since {@link #mark()}, 0 if none. */
    long firstRequestAfterMark() {
        return firstRequestAfterMark.get();
    }

    /** Stops the server at once: open connections close and the port refuses connections. */
    void kill() {
        server.stop(0);
    }

    /** Binds the same port again after {@link #kill()}. */
    void restart() throws IOException {
        server = bind(port);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
