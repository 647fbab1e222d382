package io.mesh4j.routing;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.ServiceInstance;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A named part of a service's instances, selected by tags and metadata: an instance belongs when it has every tag and
 * every metadata entry given (Istio's DestinationRule subsets select by labels the same way). A subset with no
 * selector holds every instance. Immutable and thread-safe.
 *
 * <pre>{@code
 * Subset v2 = Subset.builder("v2").metadata("version", "v2").build();
 * }</pre>
 */
public final class Subset {

    private final String name;
    private final Set<String> tags;
    private final Map<String, String> metadata;

    private Subset(Builder builder) {
        this.name = builder.name;
        this.tags = Set.copyOf(builder.tags);
        this.metadata = Map.copyOf(builder.metadata);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** Whether {@code instance} belongs to this subset. */
    public boolean selects(ServiceInstance instance) {
        if (!instance.tags().containsAll(tags)) {
            return false;
        }
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            if (!entry.getValue().equals(instance.metadata().get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Equal when name, tags and metadata are: a subset equal to one of the policies before keeps its balancer. */
    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Subset)) {
            return false;
        }
        Subset that = (Subset) other;
        return name.equals(that.name) && tags.equals(that.tags) && metadata.equals(that.metadata);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + tags.hashCode()) * 31 + metadata.hashCode();
    }

    @Override
    public String toString() {
        return "Subset{" + name + (tags.isEmpty() ? "" : ", tags " + tags)
                + (metadata.isEmpty() ? "" : ", metadata " + metadata) + '}';
    }

    /** Builds a {@link Subset}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final Set<String> tags = new LinkedHashSet<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Builder(String name) {
            requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name: '' (expected: a subset name such as 'v2')");
            }
            this.name = name;
        }

        public Builder tags(String... tags) {
            for (String tag : requireNonNull(tags, "tags")) {
                this.tags.add(requireNonNull(tag, "tag"));
            }
            return this;
        }

        public Builder metadata(String key, String value) {
            metadata.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
            return this;
        }

        public Subset build() {
            return new Subset(this);
        }
    }
}
