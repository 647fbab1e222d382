package io.mesh4j.discovery.etcd.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.ServiceNames;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The layout of instances in etcd: the key {@code <prefix><service>/<instance-id>}, and a JSON value
 * {@code {"address":"10.0.0.7","port":8080,"zone":"eu-1a","weight":100,"tags":["v2"],"metadata":{"k":"v"},
 * "secure":false}}, of which only {@code address} and {@code port} are required. Unknown fields are ignored, so
 * writers may add their own.
 *
 * <p>Thread-safe and immutable.
 */
public final class InstanceCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String prefix;

    /** @param prefix the key prefix, ending in {@code /} */
    public InstanceCodec(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** The key of {@code instance}. */
    public String key(ServiceInstance instance) {
        return prefix + instance.service() + '/' + instance.id();
    }

    /** The JSON value of {@code instance}. */
    public String value(ServiceInstance instance) {
        ObjectNode node = JSON.createObjectNode();
        node.put("address", instance.host());
        node.put("port", instance.port());
        if (instance.zone() != null) {
            node.put("zone", instance.zone());
        }
        node.put("weight", instance.weight());
        instance.tags().forEach(node.putArray("tags")::add);
        ObjectNode metadata = node.putObject("metadata");
        instance.metadata().forEach(metadata::put);
        node.put("secure", instance.secure());
        return node.toString();
    }

    /**
     * The instance stored under {@code key} with {@code value}.
     *
     * @throws IllegalArgumentException saying what is wrong, when the key is not {@code <prefix><service>/<id>} or
     *     the value is not an instance
     */
    public ServiceInstance decode(String key, String value) {
        if (!key.startsWith(prefix)) {
            throw new IllegalArgumentException("key outside the prefix '" + prefix + "'");
        }
        String rest = key.substring(prefix.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("expected a key <prefix><service>/<instance-id>");
        }
        String service = rest.substring(0, slash);
        if (!ServiceNames.isValid(service)) {
            throw new IllegalArgumentException("'" + service + "' is not a valid service name");
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value is not JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("value is not a JSON object");
        }
        JsonNode address = node.get("address");
        JsonNode port = node.get("port");
        if (address == null || !address.isTextual() || address.asText().isBlank()) {
            throw new IllegalArgumentException("'address' missing or not a string");
        }
        if (port == null || !port.canConvertToInt() || !port.isIntegralNumber()) {
            throw new IllegalArgumentException("'port' missing or not an integer");
        }
        ServiceInstance.Builder builder = ServiceInstance.builder(service, address.asText(), port.asInt())
                .id(rest.substring(slash + 1));
        JsonNode zone = node.get("zone");
        if (zone != null && zone.isTextual()) {
            builder.zone(zone.asText());
        }
        JsonNode weight = node.get("weight");
        if (weight != null && weight.isIntegralNumber()) {
            builder.weight(weight.asInt());
        }
        JsonNode tags = node.get("tags");
        if (tags != null && tags.isArray()) {
            Set<String> names = new LinkedHashSet<>();
            tags.forEach(tag -> names.add(tag.asText()));
            builder.tags(names);
        }
        JsonNode metadata = node.get("metadata");
        if (metadata != null && metadata.isObject()) {
            Map<String, String> entries = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                entries.put(entry.getKey(), entry.getValue().asText());
            }
            builder.metadata(entries);
        }
        JsonNode secure = node.get("secure");
        builder.secure(secure != null && secure.asBoolean(false));
        return builder.build();
    }
}
