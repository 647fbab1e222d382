package io.mesh4j.routing;

import io.mesh4j.api.annotation.Nullable;

/**
 * What routes match on, read from the caller's request without copying it: the client implements this over its own
 * request type. Implementations are read by one thread at a time and must not allocate for lookups they can answer
 * from the request as it is.
 */
public interface RoutedRequest {

    /** The HTTP method, upper case. */
    String method();

    /** The encoded path, starting with {@code /}. */
    String path();

    /** The first value of header {@code name} (case-insensitive), or {@code null}. */
    @Nullable
    String header(String name);

    /** The first value of query parameter {@code name}, decoded, or {@code null}. */
    @Nullable
    String queryParameter(String name);
}
