package io.mesh4j.api;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.annotation.Nullable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One reachable instance of a logical service: where to send a request ({@link #host()}, {@link #port()},
 * {@link #secure()}) and what a balancer may weigh ({@link #zone()}, {@link #weight()}, {@link #tags()},
 * {@link #metadata()}).
 *
 * <p>Immutable and thread-safe. Two instances are equal when every field is equal; balancers that keep state per
 * instance across discovery updates key it by {@link #id()}, which is unique within one service.
 *
 * <pre>{@code
 * ServiceInstance orders1 = ServiceInstance.builder("orders", "10.0.0.7", 8080)
 *     .id("orders-1")
 *     .zone("eu-west-1a")
 *     .weight(2)
 *     .build();
 * }</pre>
 */
public final class ServiceInstance {

    /** The largest accepted {@linkplain #weight() weight}, as in Consul's {@code Weights.Passing}. */
    public static final int MAX_WEIGHT = 65_535;

    private final String id;
    private final String service;
    private final String host;
    private final int port;
    private final boolean secure;
    @Nullable
    private final String zone;
    private final int weight;
    private final Set<String> tags;
    private final Map<String, String> metadata;
    private final int hashCode;

    private ServiceInstance(Builder builder) {
        this.service = builder.service;
        this.host = builder.host;
        this.port = builder.port;
        this.id = builder.id != null ? builder.id : builder.host + ':' + builder.port;
        this.secure = builder.secure;
        this.zone = builder.zone;
        this.weight = builder.weight;
        this.tags = Collections.unmodifiableSet(new LinkedHashSet<>(builder.tags));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(builder.metadata));
        this.hashCode = Objects.hash(id, service, host, port, secure, zone, weight, tags, metadata);
    }

    /**
     * Starts a builder for an instance of {@code service} listening on {@code host:port}. Values are checked by
     * {@link Builder#build()}.
     */
    public static Builder builder(String service, String host, int port) {
        return new Builder(service, host, port);
    }

    /** Unique within the service; {@code host:port} unless set. */
    public String id() {
        return id;
    }

    /** The logical service name, as used in the host part of a mesh URL ({@code http://orders/...}). */
    public String service() {
        return service;
    }

    /** Host name or IP literal to connect to. */
    public String host() {
        return host;
    }

    /** TCP port, 1 to 65535. */
    public int port() {
        return port;
    }

    /** Whether requests to this instance use HTTPS. */
    public boolean secure() {
        return secure;
    }

    /** The zone (or rack, or availability zone) this instance runs in, or {@code null} if unknown. */
    @Nullable
    public String zone() {
        return zone;
    }

    /** Relative weight for weighted balancing, 1 to {@value #MAX_WEIGHT}; 1 unless set. */
    public int weight() {
        return weight;
    }

    /** Unmodifiable tags, in the order given. */
    public Set<String> tags() {
        return tags;
    }

    /** Unmodifiable metadata, in the order given. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Returns a builder that starts from this instance's values. */
    public Builder toBuilder() {
        Builder builder = new Builder(service, host, port).secure(secure).weight(weight).tags(tags).metadata(metadata);
        builder.id = id;
        builder.zone = zone;
        return builder;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ServiceInstance)) {
            return false;
        }
        ServiceInstance that = (ServiceInstance) o;
        return hashCode == that.hashCode && port == that.port && secure == that.secure && weight == that.weight && id.equals(that.id)
                && service.equals(that.service) && host.equals(that.host) && Objects.equals(zone, that.zone)
                && tags.equals(that.tags) && metadata.equals(that.metadata);
    }

    @Override
    public int hashCode() {
        return hashCode;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ServiceInstance{")
                .append(service).append('/').append(id).append(' ')
                .append(secure ? "https://" : "http://").append(host).append(':').append(port);
        if (zone != null) {
            sb.append(", zone=").append(zone);
        }
        if (weight != 1) {
            sb.append(", weight=").append(weight);
        }
        if (!tags.isEmpty()) {
            sb.append(", tags=").append(tags);
        }
        if (!metadata.isEmpty()) {
            sb.append(", metadata=").append(metadata);
        }
        return sb.append('}').toString();
    }

    /**
     * Builds a {@link ServiceInstance}. Not thread-safe. Setters reject {@code null}; {@link #build()} checks ranges
     * and names the first field that is out of range.
     */
    public static final class Builder {
        private final String service;
        private final String host;
        private final int port;
        @Nullable
        private String id;
        private boolean secure;
        @Nullable
        private String zone;
        private int weight = 1;
        private final Set<String> tags = new LinkedHashSet<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Builder(String service, String host, int port) {
            this.service = requireNonNull(service, "service");
            this.host = requireNonNull(host, "host");
            this.port = port;
        }

        /** Sets the id, unique within the service. Default: {@code host:port}. */
        public Builder id(String id) {
            this.id = requireNonNull(id, "id");
            return this;
        }

        /** Whether to use HTTPS. Default: {@code false}. */
        public Builder secure(boolean secure) {
            this.secure = secure;
            return this;
        }

        /** Sets the zone; {@code null} means unknown. Default: {@code null}. */
        public Builder zone(@Nullable String zone) {
            this.zone = zone;
            return this;
        }

        /** Sets the relative weight, 1 to {@value ServiceInstance#MAX_WEIGHT}. Default: 1. */
        public Builder weight(int weight) {
            this.weight = weight;
            return this;
        }

        /** Adds tags. */
        public Builder tags(Iterable<String> tags) {
            requireNonNull(tags, "tags");
            for (String tag : tags) {
                this.tags.add(requireNonNull(tag, "tag"));
            }
            return this;
        }

        /** Adds tags. */
        public Builder tags(String... tags) {
            return tags(java.util.Arrays.asList(requireNonNull(tags, "tags")));
        }

        /** Adds one metadata entry. */
        public Builder metadata(String key, String value) {
            metadata.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
            return this;
        }

        /** Adds metadata entries. */
        public Builder metadata(Map<String, String> metadata) {
            requireNonNull(metadata, "metadata").forEach(this::metadata);
            return this;
        }

        /**
         * Builds the instance.
         *
         * @throws IllegalArgumentException naming the field and the expected range when a value is invalid
         */
        public ServiceInstance build() {
            ServiceNames.check("service", service);
            if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '?' || c == '#')) {
                throw new IllegalArgumentException(
                        "host: '" + host + "' (expected: a host name or IP literal without spaces or '/', '?', '#')");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 1 to 65535)");
            }
            if (weight < 1 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException("weight: " + weight + " (expected: 1 to " + MAX_WEIGHT + ")");
            }
            if (id != null && id.isEmpty()) {
                throw new IllegalArgumentException("id: '' (expected: a non-empty string)");
            }
            return new ServiceInstance(this);
        }
    }
}
