package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.RequestContext;
import java.util.List;
import okhttp3.Request;

/**
 * The {@link RequestContext} of one call, read straight from the OkHttp request: nothing is copied unless a picker
 * asks for it.
 */
final class CallContext implements RequestContext {

    private final String service;
    private final Request request;

    CallContext(String service, Request request) {
        this.service = service;
        this.request = request;
    }

    @Override
    public String service() {
        return service;
    }

    @Override
    public String method() {
        return request.method();
    }

    @Override
    public String path() {
        return request.url().encodedPath();
    }

    @Override
    @Nullable
    public String hashKey() {
        return null;
    }

    @Override
    @Nullable
    public String header(String name) {
        return request.header(name);
    }

    @Override
    public int attempt() {
        return 1;
    }

    @Override
    public List<ServiceInstance> triedInstances() {
        return List.of();
    }
}
