package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.resilience.RetryConfig;
import io.mesh4j.resilience.TimeoutConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix (issue 15, first part): each fault of the first instance a call goes to, for each kind of
 * request, with the outcome the caller sees and what each instance's server read. The first instance is the faulty
 * one, the second answers 200, and the balancer picks in that order, so every cell is exact. Documented in
 * {@code docs/RELIABILITY.md}.
 */
class FaultMatrixTest {

    /** What a cell expects: the caller's status (0 for an exception), and requests read by each server. */
    private static final class Outcome {
        final int status;
        final int faulty;
        final int healthy;

        Outcome(int status, int faulty, int healthy) {
            this.status = status;
            this.faulty = faulty;
            this.healthy = healthy;
        }

        @Override
        public String toString() {
            return (status == 0 ? "IOException" : String.valueOf(status)) + ", read " + faulty + " + " + healthy;
        }
    }

    private static Outcome answered(int status, int faulty, int healthy) {
        return new Outcome(status, faulty, healthy);
    }

    private static Outcome failed(int faulty) {
        return new Outcome(0, faulty, 0);
    }

    /** The kinds of request, as the mesh's retry rules tell them apart. */
    enum Kind {
        GET, PUT, POST, POST_IDEMPOTENT, ONE_SHOT;

        Request request() {
            Request.Builder builder = new Request.Builder().url("http://orders/v1/items");
            switch (this) {
                case GET:
                    return builder.build();
                case PUT:
                    return builder.put(RequestBody.create("{}", MediaType.get("application/json"))).build();
                case POST:
                    return builder.post(RequestBody.create("{}", MediaType.get("application/json"))).build();
                case POST_IDEMPOTENT:
                    return builder.post(RequestBody.create("{}", MediaType.get("application/json")))
                            .tag(Idempotent.class, Idempotent.YES).build();
                default:
                    return builder.put(new OneShotBody("{}")).build();
            }
        }
    }

    /**
     * The faults of the first instance. Those without an answer are set up by the test itself: nothing listens, the
     * host does not resolve, a raw socket server closes each connection at once or answers a line that is no HTTP,
     * or both instances speak TLS and only the healthy one's certificate is trusted.
     */
    enum Fault {
        CONNECTION_REFUSED(null),
        HOST_DOES_NOT_RESOLVE(null),
        RESET_BEFORE_REQUEST_READ(null),
        RESET_AFTER_REQUEST_READ(request -> new MockResponse.Builder()
                .onResponseStart(new SocketEffect.CloseSocket()).build()),
        RESET_MID_RESPONSE_BODY(request -> new MockResponse.Builder().body("x".repeat(64 * 1024))
                .onResponseBody(new SocketEffect.CloseSocket()).build()),
        NEVER_ANSWERS(request -> new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build()),
        HEADERS_SLOWER_THAN_PER_TRY_TIMEOUT(request -> new MockResponse.Builder().body("late")
                .headersDelay(2, TimeUnit.SECONDS).build()),
        BODY_TRICKLES_SLOWER_THAN_PER_TRY_TIMEOUT(request -> new MockResponse.Builder().body("x".repeat(16))
                .throttleBody(1, 1, TimeUnit.SECONDS).build()),
        GARBAGE_STATUS_LINE(null),
        TLS_CERTIFICATE_UNTRUSTED(null),
        STATUS_503_RETRY_AFTER_0(request -> new MockResponse.Builder().code(503).addHeader("Retry-After", "0")
                .build()),
        STATUS_503_RETRY_AFTER_1(request -> new MockResponse.Builder().code(503).addHeader("Retry-After", "1")
                .build()),
        STATUS_503_RETRY_AFTER_DATE(request -> new MockResponse.Builder().code(503).addHeader("Retry-After",
                DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(1)))
                .build()),
        STATUS_429_RETRY_AFTER_0(request -> new MockResponse.Builder().code(429).addHeader("Retry-After", "0")
                .build());

        final Function<RecordedRequest, MockResponse> answer;

        Fault(Function<RecordedRequest, MockResponse> answer) {
            this.answer = answer;
        }
    }

    /** Every cell and its expected outcome. */
    static Stream<Arguments> cells() {
        List<Arguments> cells = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            boolean idempotent = kind != Kind.POST;
            boolean replayable = kind != Kind.ONE_SHOT;
            boolean mayResend = idempotent && replayable;
            // Nothing was sent: every kind goes to the next instance.
            cells.add(Arguments.of(Fault.CONNECTION_REFUSED, kind, answered(200, 0, 1)));
            cells.add(Arguments.of(Fault.HOST_DOES_NOT_RESOLVE, kind, answered(200, 0, 1)));
            // The handshake fails before HTTP sends a byte: as good as refused.
            cells.add(Arguments.of(Fault.TLS_CERTIFICATE_UNTRUSTED, kind, answered(200, 0, 1)));
            // Sent, whether read or not: only what may be sent again is.
            cells.add(Arguments.of(Fault.RESET_BEFORE_REQUEST_READ, kind,
                    mayResend ? answered(200, 0, 1) : failed(0)));
            cells.add(Arguments.of(Fault.RESET_AFTER_REQUEST_READ, kind,
                    mayResend ? answered(200, 1, 1) : failed(1)));
            cells.add(Arguments.of(Fault.NEVER_ANSWERS, kind, mayResend ? answered(200, 1, 1) : failed(1)));
            cells.add(Arguments.of(Fault.HEADERS_SLOWER_THAN_PER_TRY_TIMEOUT, kind,
                    mayResend ? answered(200, 1, 1) : failed(1)));
            cells.add(Arguments.of(Fault.GARBAGE_STATUS_LINE, kind, mayResend ? answered(200, 1, 1) : failed(1)));
            cells.add(Arguments.of(Fault.BODY_TRICKLES_SLOWER_THAN_PER_TRY_TIMEOUT, kind, answered(200, 1, 0)));
            // The answer began: the caller has it, and its body breaks off while read.
            cells.add(Arguments.of(Fault.RESET_MID_RESPONSE_BODY, kind, answered(200, 1, 0)));
            // 503 is retried where the request may be sent again, honouring Retry-After; 429 is not retried by
            // default (not in the retry statuses).
            cells.add(Arguments.of(Fault.STATUS_503_RETRY_AFTER_0, kind,
                    mayResend ? answered(200, 1, 1) : answered(503, 1, 0)));
            cells.add(Arguments.of(Fault.STATUS_503_RETRY_AFTER_1, kind,
                    mayResend ? answered(200, 1, 1) : answered(503, 1, 0)));
            cells.add(Arguments.of(Fault.STATUS_503_RETRY_AFTER_DATE, kind,
                    mayResend ? answered(200, 1, 1) : answered(503, 1, 0)));
            cells.add(Arguments.of(Fault.STATUS_429_RETRY_AFTER_0, kind, answered(429, 1, 0)));
        }
        return cells.stream();
    }

    private final List<MockWebServer> servers = new ArrayList<>();
    private ServerSocket closing;
    @TempDir
    Path files;

    @AfterEach
    void stop() throws IOException {
        servers.forEach(MockWebServer::close);
        if (closing != null) {
            closing.close();
        }
    }

    /**
     * A loopback socket server: it closes every connection it accepts at once, reading nothing, or, with
     * {@code garbage}, reads the request's head, counts it in {@code read}, and answers a line that is no HTTP.
     */
    private int rawServer(boolean garbage, AtomicInteger read) throws IOException {
        closing = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!closing.isClosed()) {
                try (Socket socket = closing.accept()) {
                    if (garbage) {
                        readHead(socket.getInputStream());
                        read.incrementAndGet();
                        socket.getOutputStream().write("HELLO WORLD\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        socket.getOutputStream().flush();
                    } else {
                        socket.setSoLinger(true, 0);
                    }
                } catch (IOException closed) {
                    if (closing.isClosed()) {
                        return;
                    }
                }
            }
        }, "raw-server");
        acceptor.setDaemon(true);
        acceptor.start();
        return closing.getLocalPort();
    }

    /** Reads up to the blank line that ends a request's head. */
    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while (matched < end.length && (b = in.read()) >= 0) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    /** A TLS server presenting {@code certificate}, signed by {@code issuer}, answering 200 and counting reads. */
    private ServiceInstance tlsServer(AtomicInteger read, TestCertificates.Held certificate,
            TestCertificates.Held issuer, String id) throws IOException {
        MockWebServer server = Backends.serveTls(TestCertificates.serverSockets(certificate, issuer, issuer), false,
                request -> {
                    read.incrementAndGet();
                    return new MockResponse.Builder().code(200).body("ok").build();
                });
        servers.add(server);
        return ServiceInstance.builder("orders", "127.0.0.1", server.getPort()).id(id).build();
    }

    private MockWebServer serve(AtomicInteger read, Function<RecordedRequest, MockResponse> answer) {
        MockWebServer server = Backends.serve(request -> {
            read.incrementAndGet();
            return answer.apply(request);
        });
        servers.add(server);
        return server;
    }

    @ParameterizedTest(name = "{0}, {1}: {2}")
    @MethodSource("cells")
    void shouldGiveExpectedOutcomeAndServerCountsWhenFirstInstanceFails(Fault fault, Kind kind, Outcome expected)
            throws IOException {
        AtomicInteger faultyRead = new AtomicInteger();
        AtomicInteger healthyRead = new AtomicInteger();
        ServiceSettings.Builder settings = ServiceSettings.custom();
        ServiceInstance faulty;
        ServiceInstance healthy;
        if (fault == Fault.TLS_CERTIFICATE_UNTRUSTED) {
            // Both instances speak TLS; only the healthy one's certificate comes from the root the service trusts.
            TestCertificates.Held root = TestCertificates.authority("trusted root");
            TestCertificates.Held stranger = TestCertificates.authority("unknown root");
            faulty = tlsServer(faultyRead, TestCertificates.leaf(stranger, "orders.internal"), stranger, "faulty");
            healthy = tlsServer(healthyRead, TestCertificates.leaf(root, "orders.internal"), root, "healthy");
            Path roots = Files.writeString(files.resolve("roots.pem"), root.certificatePem());
            settings.tls(TlsSettings.builder().trustRoots(roots).expectDnsNames("orders.internal").build());
        } else {
            if (fault == Fault.CONNECTION_REFUSED) {
                faulty = ServiceInstance.builder("orders", "127.0.0.1", Backends.closedPort()).id("faulty").build();
            } else if (fault == Fault.HOST_DOES_NOT_RESOLVE) {
                faulty = ServiceInstance.builder("orders", "orders-7.invalid", 8080).id("faulty").build();
            } else if (fault == Fault.RESET_BEFORE_REQUEST_READ) {
                faulty = ServiceInstance.builder("orders", "127.0.0.1", rawServer(false, faultyRead)).id("faulty")
                        .build();
            } else if (fault == Fault.GARBAGE_STATUS_LINE) {
                faulty = ServiceInstance.builder("orders", "127.0.0.1", rawServer(true, faultyRead)).id("faulty")
                        .build();
            } else {
                MockWebServer server = serve(faultyRead, fault.answer);
                faulty = ServiceInstance.builder("orders", "127.0.0.1", server.getPort()).id("faulty").build();
            }
            MockWebServer good = serve(healthyRead, request -> new MockResponse.Builder().code(200).body("ok")
                    .build());
            healthy = ServiceInstance.builder("orders", "127.0.0.1", good.getPort()).id("healthy").build();
        }
        settings.balancer(new InOrderBalancers())
                .retry(RetryConfig.custom().backoffBase(Duration.ZERO).backoffMax(Duration.ZERO).build())
                .timeouts(TimeoutConfig.custom().perTryTimeout(Duration.ofMillis(300)).build());
        int status;
        try (MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(faulty, healthy))
                .defaultSettings(settings.build()).build();
                Response response = mesh.newCall(kind.request()).execute()) {
            status = response.code();
            if (fault == Fault.RESET_MID_RESPONSE_BODY || fault == Fault.BODY_TRICKLES_SLOWER_THAN_PER_TRY_TIMEOUT) {
                assertThat(catchThrowable(() -> response.body().string()))
                        .as("the body breaks off").isInstanceOf(IOException.class);
            }
        } catch (IOException e) {
            status = 0;
        }

        assertThat(new Outcome(status, faultyRead.get(), healthyRead.get())).usingRecursiveComparison()
                .isEqualTo(expected);
    }
}
