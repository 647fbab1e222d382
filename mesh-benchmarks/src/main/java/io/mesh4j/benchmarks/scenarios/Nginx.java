package io.mesh4j.benchmarks.scenarios;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A local nginx reverse proxy on loopback in front of one backend, with upstream keep-alive, run as this program's
 * own process: the sidecar hop. One worker process, access log off; the configuration and temporary files live in a
 * temporary directory removed on {@link #close()}.
 */
final class Nginx implements AutoCloseable {

    private static final Path[] BINARIES = {Path.of("/usr/sbin/nginx"), Path.of("/usr/bin/nginx"),
        Path.of("/usr/local/sbin/nginx"), Path.of("/usr/local/nginx/sbin/nginx")};

    private final Path directory;
    private final Process process;
    private final int port;

    private Nginx(Path binary, int backendPort) throws IOException {
        directory = Files.createTempDirectory("mesh4j-nginx");
        directory.toFile().setWritable(true, false);
        port = freePort();
        String config = """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  upstream backend {
                    server 127.0.0.1:%2$d;
                    keepalive 32;
                  }
                  server {
                    listen 127.0.0.1:%3$d;
                    location / {
                      proxy_pass http://backend;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                    }
                  }
                }
                """.formatted(directory, backendPort, port);
        Path configFile = directory.resolve("nginx.conf");
        Files.writeString(configFile, config);
        process = new ProcessBuilder(binary.toString(), "-p", directory.toString(), "-c", configFile.toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("stdout.log").toFile()).start();
        awaitPort();
    }

    /** Starts nginx in front of {@code backendPort}, or returns null when no nginx binary is installed. */
    static Nginx startInFrontOf(int backendPort) throws IOException {
        for (Path binary : BINARIES) {
            if (Files.isExecutable(binary)) {
                return new Nginx(binary, backendPort);
            }
        }
        return null;
    }

    int port() {
        return port;
    }

    /** CPU time of nginx's master and worker processes so far. */
    long cpuNanos() {
        return ProcCpu.nanos(process.toHandle());
    }

    private void awaitPort() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException("nginx exited with " + process.exitValue() + ": "
                            + Files.readString(directory.resolve("stdout.log")));
                }
                Thread.onSpinWait();
            }
        }
        throw new IOException("nginx did not listen on port " + port + " within 10 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
