package io.mesh4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.balancer.AttemptOutcome;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLHandshakeException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdleConnectionFlushTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final IdleConnectionFlush flush = new IdleConnectionFlush(now::get);
    private final ConnectionPool pool = new ConnectionPool();
    private final OkHttpClient client = new OkHttpClient.Builder().connectionPool(pool).build();
    private MockWebServer server;

    @BeforeEach
    void setUp() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void tearDown() {
        server.close();
        pool.evictAll();
    }

    /** Leaves one idle connection in the pool. */
    private void callOnce() throws IOException {
        server.enqueue(new MockResponse.Builder().body("ok").build());
        try (Response response = client.newCall(new Request.Builder().url(server.url("/")).build()).execute()) {
            response.body().string();
        }
    }

    @Test
    void shouldCloseIdleConnectionsAtMostOnceASecondWhenAttemptsBreakBeforeTheirAnswer() throws IOException {
        callOnce();
        assertThat(pool.idleConnectionCount()).isEqualTo(1);

        flush.afterFailure(pool, AttemptOutcome.NETWORK_FAILURE, new IOException("unexpected end of stream"));
        assertThat(pool.idleConnectionCount()).isZero();

        callOnce();
        flush.afterFailure(pool, AttemptOutcome.NETWORK_FAILURE, new IOException("unexpected end of stream"));
        assertThat(pool.idleConnectionCount()).as("flushed less than a second ago").isEqualTo(1);

        now.addAndGet(1_000_000_000L);
        flush.afterFailure(pool, AttemptOutcome.CONNECT_FAILURE, new ConnectException("Connection refused"));
        assertThat(pool.idleConnectionCount()).isZero();
    }

    @Test
    void shouldKeepIdleConnectionsWhenFailureSaysNothingOfThem() throws IOException {
        callOnce();

        flush.afterFailure(pool, AttemptOutcome.CONNECT_FAILURE, new SSLHandshakeException("untrusted"));
        flush.afterFailure(pool, AttemptOutcome.TIMEOUT, new java.net.SocketTimeoutException("timeout"));
        flush.afterFailure(pool, AttemptOutcome.CANCELLED, new IOException("Canceled"));

        assertThat(pool.idleConnectionCount()).isEqualTo(1);
    }
}
