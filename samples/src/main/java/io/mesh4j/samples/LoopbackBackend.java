package io.mesh4j.samples;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback instance of the samples' {@code orders} service that answers with its name, with the behaviour a
 * sample gives it: an answer delay,
 * a share of 503s (every request whose number modulo 10 falls below {@code failTenths}, so the share is exact), and a
 * switch that makes it drop connections as a crashed process would. It counts what it receives.
 *
 * <p>Thread-safe.
 */
final class LoopbackBackend implements AutoCloseable {

    static {
        // The JDK server delays small responses on keep-alive connections unless Nagle's algorithm is off; read
        // once, when its first server starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final String name;
    private final HttpServer server;
    private final AtomicLong delayMillis = new AtomicLong();
    private final AtomicInteger failTenths = new AtomicInteger();
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicInteger received = new AtomicInteger();

    LoopbackBackend(String name) throws IOException {
        this.name = name;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            int number = received.getAndIncrement();
            if (down.get()) {
                exchange.close();
                return;
            }
            long delay = delayMillis.get();
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            boolean fail = number % 10 < failTenths.get();
            exchange.sendResponseHeaders(fail ? 503 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "backend-" + name);
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    String name() {
        return name;
    }

    int port() {
        return server.getAddress().getPort();
    }

    LoopbackBackend delay(long millis) {
        delayMillis.set(millis);
        return this;
    }

    LoopbackBackend failing(int tenths) {
        failTenths.set(tenths);
        return this;
    }

    void down(boolean isDown) {
        down.set(isDown);
    }

    /** Requests received since the last call, and starts counting again. */
    int takeReceived() {
        return received.getAndSet(0);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
