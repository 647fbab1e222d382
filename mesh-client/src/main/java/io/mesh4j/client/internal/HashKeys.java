package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.client.HashKey;
import io.mesh4j.client.ServiceSettings;
import okhttp3.Request;

/**
 * The key a hashing balancer keeps a call's instance by: the request's {@link HashKey} tag, else the configured
 * header, else the configured cookie. Read only when a picker asks, so calls to other balancers pay nothing.
 */
final class HashKeys {

    private HashKeys() {
    }

    @Nullable
    static String of(ServiceSettings settings, Request request) {
        HashKey tag = request.tag(HashKey.class);
        if (tag != null) {
            return tag.value();
        }
        String header = settings.hashKeyHeader();
        if (header != null) {
            String value = request.header(header);
            if (value != null) {
                return value;
            }
        }
        String cookie = settings.hashKeyCookie();
        return cookie != null ? cookieValue(request, cookie) : null;
    }

    @Nullable
    private static String cookieValue(Request request, String name) {
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
}
