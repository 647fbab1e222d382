package io.mesh4j.api;

import io.mesh4j.api.annotation.Nullable;
import java.io.IOException;

/**
 * The parent of every error the mesh itself raises. It is an {@link IOException} because it is thrown from an
 * OkHttp interceptor, where callers already handle {@code IOException} and OkHttp delivers it to
 * {@code Callback.onFailure} for asynchronous calls.
 */
public class MeshException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String service;

    /** Creates an exception about {@code service}. */
    public MeshException(String service, String message) {
        this(service, message, null);
    }

    /** Creates an exception about {@code service}, caused by {@code cause}. */
    public MeshException(String service, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.service = service;
    }

    /** The logical service the failed call was for. */
    public String service() {
        return service;
    }
}
