package io.mesh4j.discovery.consul;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.guava.GuavaModule;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.mesh4j.api.annotation.Nullable;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.kiwiproject.consul.model.health.ServiceHealth;

/**
 * Sends health queries ({@code GET /v1/health/service/<name>?passing}) with the JDK's non-blocking HTTP client, so
 * a blocking query that waits minutes for a change holds no thread while it waits: hundreds of watches share the
 * client's selector thread. Answers are parsed into the Consul client's own model types.
 *
 * <p>Thread-safe.
 */
final class HealthQueries {

    private static final TypeReference<List<ServiceHealth>> ENTRIES = new TypeReference<>() { };

    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new Jdk8Module())
            .registerModule(new GuavaModule())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final String agentUrl;
    @Nullable
    private final String aclToken;
    private final Duration wait;
    private final Duration readTimeout;

    HealthQueries(String agentUrl, @Nullable String aclToken, Duration wait, Executor executor) {
        this.agentUrl = agentUrl.endsWith("/") ? agentUrl.substring(0, agentUrl.length() - 1) : agentUrl;
        this.aclToken = aclToken;
        this.wait = wait;
        this.readTimeout = wait.multipliedBy(17).dividedBy(16).plusSeconds(10);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(executor)
                .build();
    }

    /** One answer: the entries and the {@code X-Consul-Index} header ({@code null} when absent or malformed). */
    static final class Answer {
        final List<ServiceHealth> entries;
        @Nullable
        final Long index;

        Answer(List<ServiceHealth> entries, @Nullable Long index) {
            this.entries = entries;
            this.index = index;
        }
    }

    /**
     * Queries the passing instances of {@code service}: at once when {@code index} is {@code null}, else blocking
     * until the index moves past it or the wait ends.
     */
    CompletableFuture<Answer> query(String service, @Nullable Long index, @Nullable String datacenter,
            @Nullable String filter) {
        StringBuilder uri = new StringBuilder(agentUrl).append("/v1/health/service/").append(encode(service))
                .append("?passing=true");
        if (index != null) {
            uri.append("&index=").append(index).append("&wait=").append(wait.toSeconds()).append('s');
        }
        if (datacenter != null) {
            uri.append("&dc=").append(encode(datacenter));
        }
        if (filter != null) {
            uri.append("&filter=").append(encode(filter));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri.toString()))
                .timeout(readTimeout)
                .header("Accept", "application/json")
                .GET();
        if (aclToken != null) {
            request.header("X-Consul-Token", aclToken);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(this::parse);
    }

    private Answer parse(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw new ConsulQueryException("HTTP " + response.statusCode() + " from Consul");
        }
        List<ServiceHealth> entries;
        try {
            entries = json.readValue(response.body(), ENTRIES);
        } catch (IOException e) {
            throw new ConsulQueryException("malformed JSON from Consul: " + e.getClass().getSimpleName());
        }
        if (entries == null) {
            throw new ConsulQueryException("empty body from Consul");
        }
        Long index = response.headers().firstValue("X-Consul-Index").map(HealthQueries::parseIndex).orElse(null);
        return new Answer(entries, index);
    }

    /** An {@code X-Consul-Index} value, or {@code null} when it is not an unsigned number. */
    @Nullable
    static Long parseIndex(String value) {
        try {
            return Long.parseUnsignedLong(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code value} encoded for a URL path segment or query value. */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A health query that got no usable answer. */
    static final class ConsulQueryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConsulQueryException(String message) {
            super(message, null, false, false);
        }
    }
}
