package io.mesh4j.routing;

import static java.util.Objects.requireNonNull;

import io.mesh4j.routing.internal.JsonReader;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@link MeshPolicy} from its JSON document, the format {@code docs/POLICY.md} describes with a full example.
 * Strict: an unknown member, a value of the wrong type or out of range fails the whole document with the JSON path
 * of the offending value, such as {@code services.orders.routes[1].split.v3: ...}, so a typo never passes as a
 * policy that quietly does something else.
 *
 * <pre>{@code
 * MeshPolicy policy = PolicyDocument.parse(Files.readString(Path.of("policy.json")));
 * }</pre>
 *
 * <p>Thread-safe: a static function.
 */
public final class PolicyDocument {

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,12})(ns|us|ms|s|m|min|h)");

    private PolicyDocument() {
    }

    /**
     * The policy {@code json} describes.
     *
     * @throws IllegalArgumentException naming the JSON path and what was expected, when the document is not valid
     */
    public static MeshPolicy parse(String json) {
        requireNonNull(json, "json");
        Object root = JsonReader.read(json);
        Node document = new Node("", root);
        document.only("services");
        MeshPolicy.Builder policy = MeshPolicy.builder();
        Node services = document.member("services");
        if (services != null) {
            for (Map.Entry<String, Node> service : services.members().entrySet()) {
                Node routes = service.getValue();
                policy.service(routes.check(() -> service(service.getKey(), routes)));
            }
        }
        return policy.build();
    }

    private static ServiceRoutes service(String name, Node node) {
        node.only("subsets", "routes", "fallbackSubset");
        ServiceRoutes.Builder service = ServiceRoutes.builder(name);
        Node subsets = node.member("subsets");
        if (subsets != null) {
            for (Map.Entry<String, Node> subset : subsets.members().entrySet()) {
                Node selector = subset.getValue();
                service.subset(selector.check(() -> subset(subset.getKey(), selector)));
            }
        }
        Node routes = node.member("routes");
        if (routes != null) {
            for (Node route : routes.elements()) {
                service.route(route.check(() -> route(route)));
            }
        }
        Node fallback = node.member("fallbackSubset");
        if (fallback != null) {
            service.fallbackSubset(fallback.string());
        }
        return service.build();
    }

    private static Subset subset(String name, Node node) {
        node.only("tags", "metadata");
        Subset.Builder subset = Subset.builder(name);
        Node tags = node.member("tags");
        if (tags != null) {
            for (Node tag : tags.elements()) {
                subset.tags(tag.string());
            }
        }
        Node metadata = node.member("metadata");
        if (metadata != null) {
            for (Map.Entry<String, Node> entry : metadata.members().entrySet()) {
                subset.metadata(entry.getKey(), entry.getValue().string());
            }
        }
        return subset.build();
    }

    private static Route route(Node node) {
        node.only("name", "match", "to", "split", "stickyOn", "timeout", "perTryTimeout", "retries", "retryOn",
                "hedging", "setRequestHeaders", "removeRequestHeaders", "prefixRewrite", "authority", "fault", "mirror");
        Node name = node.member("name");
        if (name == null) {
            throw node.invalid("a \"name\"");
        }
        Route.Builder route = Route.builder(name.string());
        Node match = node.member("match");
        if (match != null) {
            route.match(match.check(() -> match(match)));
        }
        Node to = node.member("to");
        Node split = node.member("split");
        if (to != null && split != null) {
            throw node.invalid("either \"to\" or \"split\", not both");
        }
        if (to != null) {
            route.to(to.string());
        }
        if (split != null) {
            for (Map.Entry<String, Node> share : split.members().entrySet()) {
                Node weight = share.getValue();
                weight.check(() -> route.split(share.getKey(), weight.integer()));
            }
        }
        optional(node, "stickyOn", value -> route.stickyOn(value.string()));
        optional(node, "timeout", value -> route.timeout(value.duration()));
        optional(node, "perTryTimeout", value -> route.perTryTimeout(value.duration()));
        optional(node, "retries", value -> route.retries(value.integer()));
        optional(node, "retryOn", value -> {
            List<Node> statuses = value.elements();
            int[] codes = new int[statuses.size()];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = statuses.get(i).integer();
            }
            route.retryOn(codes);
        });
        optional(node, "hedging", value -> {
            value.only("maxHedges", "delay");
            Node delay = value.member("delay");
            Node maxHedges = value.member("maxHedges");
            if (maxHedges == null) {
                throw value.invalid("\"maxHedges\" (0 for none)");
            }
            int hedges = maxHedges.integer();
            if (hedges > 0 && delay == null) {
                throw value.invalid("\"delay\" with \"maxHedges\" above 0");
            }
            route.hedging(hedges, delay == null ? Duration.ofMillis(1) : delay.duration());
        });
        optional(node, "setRequestHeaders", value -> {
            for (Map.Entry<String, Node> header : value.members().entrySet()) {
                Node headerValue = header.getValue();
                headerValue.check(() -> route.setRequestHeader(header.getKey(), headerValue.string()));
            }
        });
        optional(node, "removeRequestHeaders", value -> {
            for (Node header : value.elements()) {
                header.check(() -> route.removeRequestHeader(header.string()));
            }
        });
        optional(node, "prefixRewrite", value -> route.prefixRewrite(value.string()));
        optional(node, "authority", value -> route.authority(value.string()));
        optional(node, "fault", value -> route.fault(fault(value)));
        optional(node, "mirror", value -> {
            value.only("subset", "service", "percent");
            double percent = value.required("percent").decimal();
            Node subset = value.member("subset");
            Node service = value.member("service");
            if ((subset == null) == (service == null)) {
                throw value.invalid("either \"subset\" or \"service\"");
            }
            route.mirror(subset != null ? Mirror.toSubset(subset.string(), percent)
                    : Mirror.toService(service.string(), percent));
        });
        return route.build();
    }

    private static RouteMatch match(Node node) {
        node.only("methods", "path", "headers", "query");
        RouteMatch.Builder match = RouteMatch.builder();
        Node methods = node.member("methods");
        if (methods != null) {
            for (Node method : methods.elements()) {
                method.check(() -> match.methods(method.string()));
            }
        }
        Node path = node.member("path");
        if (path != null) {
            Map.Entry<String, Node> kind = path.one("exact", "prefix", "regex");
            String value = kind.getValue().string();
            match.path(kind.getValue().check(() -> kind.getKey().equals("exact") ? PathMatch.exact(value)
                    : kind.getKey().equals("prefix") ? PathMatch.prefix(value) : PathMatch.regex(value)));
        }
        Node headers = node.member("headers");
        if (headers != null) {
            for (Map.Entry<String, Node> header : headers.members().entrySet()) {
                Node value = header.getValue();
                match.header(header.getKey(), value.check(() -> valueMatch(value)));
            }
        }
        Node query = node.member("query");
        if (query != null) {
            for (Map.Entry<String, Node> parameter : query.members().entrySet()) {
                Node value = parameter.getValue();
                match.queryParameter(parameter.getKey(), value.check(() -> valueMatch(value)));
            }
        }
        return match.build();
    }

    private static ValueMatch valueMatch(Node node) {
        Map.Entry<String, Node> kind = node.one("present", "exact", "regex");
        switch (kind.getKey()) {
            case "present":
                if (!kind.getValue().bool()) {
                    throw kind.getValue().invalid("true; leave the header out to accept any value");
                }
                return ValueMatch.present();
            case "exact":
                return ValueMatch.exact(kind.getValue().string());
            default:
                String regex = kind.getValue().string();
                return kind.getValue().check(() -> ValueMatch.regex(regex));
        }
    }

    private static Fault fault(Node node) {
        node.only("delay", "abort");
        Fault.Builder fault = Fault.builder();
        Node delay = node.member("delay");
        if (delay != null) {
            delay.only("duration", "percent");
            Duration duration = delay.required("duration").duration();
            double percent = delay.required("percent").decimal();
            delay.check(() -> fault.delay(duration, percent));
        }
        Node abort = node.member("abort");
        if (abort != null) {
            abort.only("status", "percent");
            int status = abort.required("status").integer();
            double percent = abort.required("percent").decimal();
            abort.check(() -> fault.abort(status, percent));
        }
        return node.check(fault::build);
    }

    private interface Setter {
        void set(Node value);
    }

    private static void optional(Node node, String name, Setter setter) {
        Node value = node.member(name);
        if (value != null) {
            value.check(() -> {
                setter.set(value);
                return null;
            });
        }
    }

    /** A value of the document with its JSON path, for messages. */
    private static final class Node {
        private final String path;
        private final Object value;

        Node(String path, Object value) {
            this.path = path;
            this.value = value;
        }

        /** Runs {@code step}; a failure it throws is told with this value's path, unless it names one already. */
        <T> T check(Step<T> step) {
            try {
                return step.run();
            } catch (PathedException e) {
                throw e;
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new PathedException(where() + ": " + e.getMessage());
            }
        }

        void check(Runnable step) {
            check(() -> {
                step.run();
                return null;
            });
        }

        @SuppressWarnings("unchecked")
        Map<String, Node> members() {
            if (!(value instanceof Map)) {
                throw invalid("an object");
            }
            Map<String, Node> members = new LinkedHashMap<>();
            for (Map.Entry<String, Object> entry : ((Map<String, Object>) value).entrySet()) {
                members.put(entry.getKey(), new Node(child(entry.getKey()), entry.getValue()));
            }
            return members;
        }

        List<Node> elements() {
            if (!(value instanceof List)) {
                throw invalid("an array");
            }
            List<?> list = (List<?>) value;
            Node[] elements = new Node[list.size()];
            for (int i = 0; i < elements.length; i++) {
                elements[i] = new Node(path + '[' + i + ']', list.get(i));
            }
            return List.of(elements);
        }

        /** The member {@code name}, or {@code null} when absent. */
        Node member(String name) {
            return members().get(name);
        }

        Node required(String name) {
            Node member = member(name);
            if (member == null) {
                throw invalid("a member \"" + name + "\"");
            }
            return member;
        }

        /** Fails unless every member is one of {@code names}. */
        void only(String... names) {
            Set<String> allowed = Set.of(names);
            for (String name : members().keySet()) {
                if (!allowed.contains(name)) {
                    throw new PathedException(child(name) + ": unknown member (expected: one of "
                            + List.of(names) + ")");
                }
            }
        }

        /** The one member of an object that must have exactly one of {@code names}. */
        Map.Entry<String, Node> one(String... names) {
            only(names);
            Map<String, Node> members = members();
            if (members.size() != 1) {
                throw invalid("exactly one of " + List.of(names));
            }
            return members.entrySet().iterator().next();
        }

        String string() {
            if (!(value instanceof String)) {
                throw invalid("a string");
            }
            return (String) value;
        }

        boolean bool() {
            if (!(value instanceof Boolean)) {
                throw invalid("true or false");
            }
            return (Boolean) value;
        }

        int integer() {
            if (!(value instanceof Long) || (Long) value != ((Long) value).intValue()) {
                throw invalid("a whole number");
            }
            return ((Long) value).intValue();
        }

        double decimal() {
            if (!(value instanceof Number)) {
                throw invalid("a number");
            }
            return ((Number) value).doubleValue();
        }

        Duration duration() {
            Matcher matcher = DURATION.matcher(string().toLowerCase(Locale.ROOT));
            if (!matcher.matches()) {
                throw invalid("a duration such as \"250ms\", \"2s\" or \"1m\"");
            }
            long amount = Long.parseLong(matcher.group(1));
            switch (matcher.group(2)) {
                case "ns":
                    return Duration.ofNanos(amount);
                case "us":
                    return Duration.ofNanos(amount * 1_000);
                case "ms":
                    return Duration.ofMillis(amount);
                case "s":
                    return Duration.ofSeconds(amount);
                case "h":
                    return Duration.ofHours(amount);
                default:
                    return Duration.ofMinutes(amount);
            }
        }

        private String child(String name) {
            return path.isEmpty() ? name : path + '.' + name;
        }

        PathedException invalid(String expected) {
            String shown = value instanceof String ? "\"" + value + "\"" : value instanceof Map ? "{...}"
                    : value instanceof List ? "[...]" : String.valueOf(value);
            return new PathedException(where() + ": " + shown + " (expected: " + expected + ")");
        }

        private String where() {
            return path.isEmpty() ? "document" : path;
        }
    }

    private interface Step<T> {
        T run();
    }

    /** A failure that already names its JSON path. */
    private static final class PathedException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        PathedException(String message) {
            super(message);
        }
    }
}
