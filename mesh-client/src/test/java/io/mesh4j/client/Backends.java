package io.mesh4j.client;

import io.mesh4j.api.ServiceInstance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.SSLSocketFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** Loopback backends for tests: real MockWebServers that answer every request with their own name. */
final class Backends implements AutoCloseable {

    private final List<MockWebServer> servers = new ArrayList<>();

    static Backends start(int count) {
        Backends backends = new Backends();
        for (int i = 0; i < count; i++) {
            backends.add("backend-" + i);
        }
        return backends;
    }

    MockWebServer add(String name) {
        MockWebServer server = serve(request -> new MockResponse.Builder().code(200).body(name).build());
        servers.add(server);
        return server;
    }

    /** Starts a loopback server (with {@code TCP_NODELAY}) that answers every request with {@code answer}. */
    static MockWebServer serve(Function<RecordedRequest, MockResponse> answer) {
        return serve(0, answer);
    }

    /**
     * Starts a loopback server (with {@code TCP_NODELAY}) on {@code port} (any free one if 0) that answers every
     * request with {@code answer}; throws {@link UncheckedIOException} if the port is taken.
     */
    static MockWebServer serve(int port, Function<RecordedRequest, MockResponse> answer) {
        MockWebServer server = new MockWebServer();
        server.setServerSocketFactory(new NoDelayServerSocketFactory());
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer.apply(request);
            }
        });
        try {
            server.start(port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return server;
    }

    /**
     * Starts a loopback HTTPS server with {@code sockets} that answers every request with {@code answer}, asking each
     * client for a certificate when {@code requireClientCertificate}.
     */
    static MockWebServer serveTls(SSLSocketFactory sockets, boolean requireClientCertificate,
            Function<RecordedRequest, MockResponse> answer) {
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer.apply(request);
            }
        });
        server.useHttps(sockets);
        if (requireClientCertificate) {
            server.requireClientAuth();
        }
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return server;
    }

    /** The subject of the certificate the client of {@code request} presented. */
    static String clientSubject(RecordedRequest request) {
        return ((X509Certificate) request.getHandshake().peerCertificates().get(0)).getSubjectX500Principal()
                .getName();
    }

    MockWebServer get(int index) {
        return servers.get(index);
    }

    ServiceInstance instance(String service, int index) {
        MockWebServer server = servers.get(index);
        return ServiceInstance.builder(service, server.getHostName(), server.getPort()).id("backend-" + index)
                .build();
    }

    List<ServiceInstance> instances(String service) {
        List<ServiceInstance> instances = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            instances.add(instance(service, i));
        }
        return instances;
    }

    /** A loopback port with nothing listening on it. */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        servers.forEach(MockWebServer::close);
    }
}
