package io.mesh4j.discovery.consul;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mesh4j.api.PolicySource;
import io.mesh4j.api.Subscription;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.Checks;
import io.mesh4j.api.internal.DaemonThreads;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A routing policy document ({@code docs/POLICY.md}) kept under one key of Consul's KV store, watched with blocking
 * queries ({@code GET /v1/kv/<key>?index=<n>&wait=<t>}): a change reaches subscribers one round trip after Consul
 * stores it. Write it with {@code consul kv put mesh/policy @policy.json}.
 *
 * <pre>{@code
 * MeshClient mesh = MeshClient.builder()
 *     .discovery(discovery)
 *     .policySource(ConsulPolicySource.builder("mesh/policy").aclToken(token).build())
 *     .build();
 * }</pre>
 *
 * <p>What it does when Consul does not give a document: a missing key, a key without a value, an error status, a
 * failed request or a body that is not the documented JSON deliver nothing, so the policy in effect stays; each is
 * logged once when it starts, and failures are retried with exponential backoff and jitter. Queries start at most
 * once per {@link Builder#minRequestInterval} (500 ms), so an answer that does not block cannot make it spin. An
 * index that goes backwards starts the blocking queries afresh, as HashiCorp advises. The ACL token travels in the
 * {@code X-Consul-Token} header, never in a URL or a log.
 *
 * <p>Thread-safe. One query loop per source, started by the first subscription; at most one query in flight, held
 * by the JDK's non-blocking HTTP client without a thread while it waits. {@link #subscribe} waits up to
 * {@link Builder#firstReadTimeout} for the first answer, so a client built with it starts with the stored policy.
 */
public final class ConsulPolicySource implements PolicySource {

    private static final Logger log = LoggerFactory.getLogger(ConsulPolicySource.class);

    private final String key;
    private final BlockingQueryLoop.Settings loopSettings;
    @Nullable
    private final String datacenter;
    private final Duration firstReadTimeout;
    private final ObjectMapper json = new ObjectMapper();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> firstAnswer = new CompletableFuture<>();

    @Nullable
    private ExecutorService httpThreads;
    @Nullable
    private ScheduledThreadPoolExecutor scheduler;
    @Nullable
    private BlockingQueryLoop loop;
    private boolean started;
    private volatile boolean closed;
    /** What was last logged as wrong, so each problem is logged once; written by the loop's one thread at a time. */
    @Nullable
    private String problem;
    @Nullable
    private volatile String document;

    private ConsulPolicySource(Builder builder) {
        this.key = builder.key;
        this.loopSettings = builder.loopSettings();
        this.datacenter = builder.datacenter;
        this.firstReadTimeout = builder.firstReadTimeout();
    }

    /** A source for {@code key}, such as {@code mesh/policy}. */
    public static Builder builder(String key) {
        return new Builder(key);
    }

    @Override
    public String name() {
        return "consul";
    }

    public String key() {
        return key;
    }

    @Override
    public Subscription subscribe(Consumer<String> documents) {
        requireNonNull(documents, "documents");
        start();
        try {
            firstAnswer.get(firstReadTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.warn("Consul gave no policy under key '{}' within {}; the client starts without it and keeps"
                    + " watching", key, Checks.format(firstReadTimeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            listeners.add(documents);
            String now = document;
            if (now != null) {
                deliver(documents, now);
            }
        }
        return () -> listeners.remove(documents);
    }

    private synchronized void start() {
        if (closed) {
            throw new IllegalStateException("Consul policy source for key '" + key + "' is closed");
        }
        if (started) {
            return;
        }
        started = true;
        httpThreads = ConsulClients.daemonThreads("mesh4j-consul-policy-http");
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(httpThreads)
                .build();
        scheduler = DaemonThreads.scheduler("mesh4j-consul-policy");
        StringBuilder path = new StringBuilder("/v1/kv/").append(encodeKey(key));
        if (datacenter != null) {
            path.append("?dc=").append(HealthQueries.encode(datacenter));
        }
        loop = new BlockingQueryLoop(http, scheduler, loopSettings, path.toString(), new BlockingQueryLoop.Handler() {
            @Override
            public String answered(int status, byte[] body) {
                return answer(status, body);
            }

            @Override
            public void failed(String why) {
                problem("the query for key '" + key + "' failed: " + why);
                firstAnswer.complete(null);
            }
        });
        loop.start();
    }

    @Nullable
    private String answer(int status, byte[] body) {
        if (closed) {
            return null;
        }
        if (status == 404) {
            problem("no key '" + key + "' in Consul's KV store");
            firstAnswer.complete(null);
            return null;
        }
        String found;
        try {
            found = value(body);
        } catch (IOException | IllegalArgumentException e) {
            return "a body that is not Consul's KV JSON (" + e.getClass().getSimpleName() + ")";
        }
        if (found == null) {
            problem("key '" + key + "' has no value");
        } else {
            if (problem != null) {
                log.info("Consul gives a policy under key '{}' again", key);
                problem = null;
            }
            if (!found.equals(document)) {
                publish(found);
            }
        }
        firstAnswer.complete(null);
        return null;
    }

    /** The decoded value of the key's one entry, or {@code null} when it has none. */
    @Nullable
    private String value(byte[] body) throws IOException {
        JsonNode entries = json.readTree(body);
        if (entries == null || !entries.isArray() || entries.size() != 1 || !entries.get(0).isObject()) {
            throw new IOException("expected an array of one entry");
        }
        JsonNode value = entries.get(0).get("Value");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IOException("Value is not a string");
        }
        return new String(Base64.getDecoder().decode(value.asText()), StandardCharsets.UTF_8);
    }

    private synchronized void publish(String found) {
        document = found;
        for (Consumer<String> listener : listeners) {
            deliver(listener, found);
        }
    }

    private void deliver(Consumer<String> listener, String found) {
        try {
            listener.accept(found);
        } catch (RuntimeException e) {
            log.warn("A listener of the Consul policy under key '{}' failed", key, e);
        }
    }

    private void problem(String what) {
        if (!Objects.equals(what, problem)) {
            problem = what;
            log.warn("Consul policy source: {}; the policy in effect stays", what);
        }
    }

    /** Encodes each segment of the key, keeping its slashes. */
    private static String encodeKey(String key) {
        StringBuilder encoded = new StringBuilder();
        for (String segment : key.split("/", -1)) {
            if (encoded.length() > 0 || key.startsWith("/")) {
                encoded.append('/');
            }
            encoded.append(HealthQueries.encode(segment));
        }
        return encoded.toString();
    }

    /** Stops the query loop and its threads; subscribers get nothing more. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        listeners.clear();
        if (loop != null) {
            loop.stop();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (httpThreads != null) {
            httpThreads.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "ConsulPolicySource{" + loopSettings.agentUrl + ", key " + key + '}';
    }

    /**
     * Builds a {@link ConsulPolicySource}: the key and datacenter here, the agent's address, token and timing in
     * {@link AgentWatchBuilder} (first answer awaited for 2 s by default). Not thread-safe.
     */
    public static final class Builder extends AgentWatchBuilder<Builder> {
        private final String key;
        @Nullable
        private String datacenter;

        private Builder(String key) {
            super(Duration.ofSeconds(2));
            requireNonNull(key, "key");
            if (key.isEmpty() || key.startsWith("/")) {
                throw new IllegalArgumentException("key: '" + key + "' (expected: a KV key such as mesh/policy)");
            }
            this.key = key;
        }

        /** The datacenter whose KV store holds the key. Default: the agent's. */
        public Builder datacenter(@Nullable String datacenter) {
            this.datacenter = datacenter;
            return this;
        }

        public ConsulPolicySource build() {
            return new ConsulPolicySource(this);
        }
    }
}
