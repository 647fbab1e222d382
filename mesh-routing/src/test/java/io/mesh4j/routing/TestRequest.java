package io.mesh4j.routing;

import io.mesh4j.api.annotation.Nullable;
import java.util.Locale;
import java.util.Map;

/** A request for routing tests: method, path, headers (names lower case) and query parameters. */
record TestRequest(String method, String path, Map<String, String> headers, Map<String, String> query)
        implements RoutedRequest {

    static TestRequest get(String path) {
        return new TestRequest("GET", path, Map.of(), Map.of());
    }

    TestRequest withHeader(String name, String value) {
        java.util.Map<String, String> more = new java.util.HashMap<>(headers);
        more.put(name.toLowerCase(Locale.ROOT), value);
        return new TestRequest(method, path, more, query);
    }

    TestRequest withQuery(String name, String value) {
        java.util.Map<String, String> more = new java.util.HashMap<>(query);
        more.put(name, value);
        return new TestRequest(method, path, headers, more);
    }

    TestRequest withMethod(String other) {
        return new TestRequest(other, path, headers, query);
    }

    @Override
    @Nullable
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    @Nullable
    public String queryParameter(String name) {
        return query.get(name);
    }
}
