package io.mesh4j.discovery.consul;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mesh4j.api.PolicySource;
import io.mesh4j.api.annotation.Nullable;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

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
public final class ConsulPolicySource extends AgentWatch<String> implements PolicySource {

    private final String key;
    @Nullable
    private final String datacenter;
    private final ObjectMapper json = new ObjectMapper();

    private ConsulPolicySource(Builder builder) {
        super("consul-policy", builder);
        this.key = builder.key;
        this.datacenter = builder.datacenter;
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
    List<BlockingQueryLoop> loops(HttpClient http, ScheduledExecutorService scheduler,
            BlockingQueryLoop.Settings settings) {
        StringBuilder path = new StringBuilder("/v1/kv/").append(encodeKey(key));
        if (datacenter != null) {
            path.append("?dc=").append(HealthQueries.encode(datacenter));
        }
        return List.of(new BlockingQueryLoop(http, scheduler, settings, path.toString(),
                new BlockingQueryLoop.Handler() {
                    @Override
                    public String answered(int status, byte[] answer) {
                        return answer(status, answer);
                    }

                    @Override
                    public void failed(String why) {
                        problem("the query for key '" + key + "' failed: " + why);
                        firstAnswered();
                    }
                }));
    }

    @Override
    String noFirstValue() {
        return "Consul gave no policy under key '" + key + "'; the client starts without it and keeps watching";
    }

    @Nullable
    private String answer(int status, byte[] body) {
        if (isClosed()) {
            return null;
        }
        if (status == 404) {
            problem("no key '" + key + "' in Consul's KV store");
            firstAnswered();
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
            firstAnswered();
        } else if (!found.equals(latest())) {
            publish(found);
        } else {
            firstAnswered();
        }
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

    @Override
    public String toString() {
        return "ConsulPolicySource{" + agentUrl() + ", key " + key + '}';
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
