package io.mesh4j.routing;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The requests a route takes: all conditions must hold (any method when none is given; every path by default).
 * Header names are case-insensitive; header and query values are matched by {@link ValueMatch}. Matching walks
 * arrays and allocates nothing unless a regular expression is involved.
 *
 * <pre>{@code
 * RouteMatch canaryUsers = RouteMatch.builder().methods("GET").path(PathMatch.prefix("/v1/items"))
 *     .header("x-canary", ValueMatch.exact("true")).build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class RouteMatch {

    private static final RouteMatch ANY = builder().build();

    private final String[] methods;
    private final PathMatch path;
    private final String[] headerNames;
    private final ValueMatch[] headerValues;
    private final String[] queryNames;
    private final ValueMatch[] queryValues;

    private RouteMatch(Builder builder) {
        this.methods = builder.methods.toArray(String[]::new);
        this.path = builder.path;
        this.headerNames = builder.headerNames.toArray(String[]::new);
        this.headerValues = builder.headerValues.toArray(ValueMatch[]::new);
        this.queryNames = builder.queryNames.toArray(String[]::new);
        this.queryValues = builder.queryValues.toArray(ValueMatch[]::new);
    }

    /** Every request. */
    public static RouteMatch any() {
        return ANY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The condition on the path. */
    public PathMatch path() {
        return path;
    }

    /** Whether {@code request} meets every condition. */
    public boolean matches(RoutedRequest request) {
        return matches(request, request.path());
    }

    /** Whether {@code request}, whose path its caller read once for every route, meets every condition. */
    boolean matches(RoutedRequest request, String requestPath) {
        if (methods.length > 0 && !oneOf(request.method())) {
            return false;
        }
        if (!path.matches(requestPath)) {
            return false;
        }
        for (int i = 0; i < headerNames.length; i++) {
            if (!headerValues[i].matches(request.header(headerNames[i]))) {
                return false;
            }
        }
        for (int i = 0; i < queryNames.length; i++) {
            if (!queryValues[i].matches(request.queryParameter(queryNames[i]))) {
                return false;
            }
        }
        return true;
    }

    private boolean oneOf(String method) {
        for (String allowed : methods) {
            if (allowed.equals(method)) {
                return true;
            }
        }
        return false;
    }

    /** Whether matching may allocate (it uses a regular expression). */
    boolean allocates() {
        if (path.allocates()) {
            return true;
        }
        for (ValueMatch match : headerValues) {
            if (match.allocates()) {
                return true;
            }
        }
        for (ValueMatch match : queryValues) {
            if (match.allocates()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("RouteMatch{");
        text.append(methods.length == 0 ? "any method" : String.join("|", methods)).append(", path ").append(path);
        for (int i = 0; i < headerNames.length; i++) {
            text.append(", header ").append(headerNames[i]).append(' ').append(headerValues[i]);
        }
        for (int i = 0; i < queryNames.length; i++) {
            text.append(", query ").append(queryNames[i]).append(' ').append(queryValues[i]);
        }
        return text.append('}').toString();
    }

    /** Builds a {@link RouteMatch}. Not thread-safe. */
    public static final class Builder {
        private final Set<String> methods = new TreeSet<>();
        private PathMatch path = PathMatch.any();
        private final List<String> headerNames = new ArrayList<>();
        private final List<ValueMatch> headerValues = new ArrayList<>();
        private final List<String> queryNames = new ArrayList<>();
        private final List<ValueMatch> queryValues = new ArrayList<>();

        private Builder() {
        }

        /** The methods taken (case-insensitive); none given means any. */
        public Builder methods(String... methods) {
            for (String method : requireNonNull(methods, "methods")) {
                requireNonNull(method, "method");
                if (method.isBlank()) {
                    throw new IllegalArgumentException("methods: '' (expected: an HTTP method such as GET)");
                }
                this.methods.add(method.toUpperCase(Locale.ROOT));
            }
            return this;
        }

        public Builder path(PathMatch path) {
            this.path = requireNonNull(path, "path");
            return this;
        }

        /** A condition on header {@code name} (case-insensitive); several conditions must all hold. */
        public Builder header(String name, ValueMatch value) {
            requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("header: '' (expected: a header name)");
            }
            headerNames.add(name);
            headerValues.add(requireNonNull(value, "value"));
            return this;
        }

        /** A condition on query parameter {@code name}. */
        public Builder queryParameter(String name, ValueMatch value) {
            requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("queryParameter: '' (expected: a parameter name)");
            }
            queryNames.add(name);
            queryValues.add(requireNonNull(value, "value"));
            return this;
        }

        public RouteMatch build() {
            return new RouteMatch(this);
        }
    }
}
