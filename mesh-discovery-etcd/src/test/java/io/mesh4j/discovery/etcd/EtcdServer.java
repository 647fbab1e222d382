package io.mesh4j.discovery.etcd;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real etcd server for tests, on loopback with free ports and a temporary data directory, stopped and deleted by
 * {@link #close()}. {@link #stop()} and {@link #start()} restart it on the same ports and data. The binary is
 * {@code etcd} on the path or {@code /usr/bin/etcd}; when neither exists it is installed from the system's packages
 * ({@code apt-get install etcd-server}, as root or with password-less sudo), as CI does; if that fails the test fails
 * and says how to install it.
 */
final class EtcdServer implements AutoCloseable {

    private static String binary;

    private final Path dataDir;
    private final int clientPort;
    private final int peerPort;
    private final Path log;
    private final List<String> tlsArguments;
    private Process process;

    private EtcdServer(List<String> tlsArguments) throws IOException {
        this.tlsArguments = tlsArguments;
        this.dataDir = Files.createTempDirectory("mesh4j-etcd");
        this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        this.clientPort = freePort();
        this.peerPort = freePort();
    }

    /** Starts a new server and waits until it answers. */
    static EtcdServer started() throws IOException {
        EtcdServer server = new EtcdServer(List.of());
        server.start();
        return server;
    }

    /**
     * Starts a server that speaks TLS with {@code certificate} and {@code key} (PEM files) and accepts only clients
     * whose certificate {@code clientCa} signed.
     */
    static EtcdServer startedWithClientCertificates(Path certificate, Path key, Path clientCa) throws IOException {
        EtcdServer server = new EtcdServer(List.of("--cert-file", certificate.toString(), "--key-file",
                key.toString(), "--client-cert-auth", "--trusted-ca-file", clientCa.toString()));
        server.start();
        return server;
    }

    String endpoint() {
        return (tlsArguments.isEmpty() ? "http" : "https") + "://127.0.0.1:" + clientPort;
    }

    int port() {
        return clientPort;
    }

    synchronized void start() throws IOException {
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new java.util.ArrayList<>(List.of(binary(), "--name", "mesh4j-test", "--data-dir",
                dataDir.toString(), "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "mesh4j-test=" + peer, "--log-level", "warn"));
        command.addAll(tlsArguments);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> !process.isAlive() || answers());
        } catch (ConditionTimeoutException e) {
            throw new IOException("etcd did not start on port " + clientPort + " within 20 s; its log: "
                    + Files.readString(log), e);
        }
        if (!process.isAlive()) {
            throw new IOException("etcd exited on start (port " + clientPort + "); its log: " + Files.readString(log));
        }
    }

    synchronized void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    private boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", clientPort), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The etcd binary, installed from the system's packages when missing. */
    private static synchronized String binary() throws IOException {
        if (binary != null) {
            return binary;
        }
        for (String candidate : List.of("/usr/bin/etcd", "/usr/local/bin/etcd")) {
            if (Files.isExecutable(Path.of(candidate))) {
                binary = candidate;
                return binary;
            }
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        String apt = root ? "apt-get" : "sudo -n apt-get";
        String install = apt + " install -y -q etcd-server";
        try {
            Process installing = new ProcessBuilder("sh", "-c", "command -v etcd || ((" + install + " || (" + apt
                    + " update -q && " + install + ")) >&2 && command -v etcd)")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String found = new String(installing.getInputStream().readAllBytes()).trim();
            if (installing.waitFor(10, TimeUnit.MINUTES) && installing.exitValue() == 0 && !found.isEmpty()) {
                binary = found.lines().reduce((first, last) -> last).orElseThrow();
                return binary;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IOException("etcd is not installed and '" + install + "' failed: install Debian's etcd-server"
                + " package (or put an etcd 3.4+ binary on the path) to run these tests");
    }
}
