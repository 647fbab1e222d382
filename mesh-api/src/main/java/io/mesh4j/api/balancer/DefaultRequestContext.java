package io.mesh4j.api.balancer;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import java.util.List;

/** Immutable {@link RequestContext} behind {@link RequestContext#of}. */
final class DefaultRequestContext implements RequestContext {

    private final String service;
    private final String method;
    private final String path;
    @Nullable
    private final String hashKey;
    private final int attempt;
    private final List<ServiceInstance> tried;

    DefaultRequestContext(String service, String method, String path, @Nullable String hashKey, int attempt,
            List<ServiceInstance> tried) {
        this.service = requireNonNull(service, "service");
        this.method = requireNonNull(method, "method");
        this.path = requireNonNull(path, "path");
        this.hashKey = hashKey;
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt: " + attempt + " (expected: >= 1)");
        }
        this.attempt = attempt;
        this.tried = requireNonNull(tried, "tried");
    }

    @Override
    public String service() {
        return service;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    @Nullable
    public String hashKey() {
        return hashKey;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public List<ServiceInstance> triedInstances() {
        return tried;
    }

    @Override
    public String toString() {
        return "RequestContext{" + service + ' ' + method + ' ' + path + ", attempt=" + attempt + '}';
    }
}
