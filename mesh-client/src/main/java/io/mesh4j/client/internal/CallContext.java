package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.RequestContext;
import io.mesh4j.client.HashKey;
import io.mesh4j.client.ServiceSettings;
import java.util.List;
import okhttp3.Request;

/**
 * The {@link RequestContext} of one call, read straight from the OkHttp request: nothing is copied unless a picker
 * asks for it. The hashing key is the request's {@link HashKey} tag, else the configured header, else the
 * configured cookie.
 */
final class CallContext implements RequestContext {

    private final ServiceState service;
    private final Request request;
    private final int attempt;
    private final List<ServiceInstance> tried;

    CallContext(ServiceState service, Request request) {
        this(service, request, 1, List.of());
    }

    CallContext(ServiceState service, Request request, int attempt, List<ServiceInstance> tried) {
        this.service = service;
        this.request = request;
        this.attempt = attempt;
        this.tried = tried;
    }

    @Override
    public String service() {
        return service.name();
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
        HashKey tag = request.tag(HashKey.class);
        if (tag != null) {
            return tag.value();
        }
        ServiceSettings settings = service.settings();
        String header = settings.hashKeyHeader();
        if (header != null) {
            String value = request.header(header);
            if (value != null) {
                return value;
            }
        }
        String cookie = settings.hashKeyCookie();
        return cookie != null ? cookieValue(cookie) : null;
    }

    @Nullable
    private String cookieValue(String name) {
        for (String header : request.headers("Cookie")) {
            for (String pair : header.split(";")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).trim().equals(name)) {
                    return pair.substring(equals + 1).trim();
                }
            }
        }
        return null;
    }

    @Override
    @Nullable
    public String header(String name) {
        return request.header(name);
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public List<ServiceInstance> triedInstances() {
        return tried;
    }
}
