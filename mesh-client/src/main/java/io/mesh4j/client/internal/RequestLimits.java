package io.mesh4j.client.internal;

import io.mesh4j.api.RequestTooLargeException;
import io.mesh4j.api.annotation.Nullable;
import okhttp3.Headers;

/**
 * The most headers, and header bytes, a call to a mesh service may carry (as Envoy's {@code max_headers_count} and
 * {@code max_request_headers_kb} bound them); checked once per call, before its first attempt, with one pass over
 * the headers and no allocation. Immutable and thread-safe.
 */
public final class RequestLimits {

    private final int maxHeaders;
    private final int maxHeaderBytes;

    public RequestLimits(int maxHeaders, int maxHeaderBytes) {
        this.maxHeaders = maxHeaders;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    /** Why {@code headers} are too many or too large for a call to {@code service}, or {@code null} when they fit. */
    @Nullable
    RequestTooLargeException check(Headers headers, String service) {
        int count = headers.size();
        if (count > maxHeaders) {
            return new RequestTooLargeException(service, count + " headers (expected: at most " + maxHeaders + ")");
        }
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            // As HTTP/1.1 sends them: name, ": ", value, CRLF.
            bytes += headers.name(i).length() + headers.value(i).length() + 4;
        }
        if (bytes > maxHeaderBytes) {
            return new RequestTooLargeException(service, "headers of " + bytes + " bytes (expected: at most "
                    + maxHeaderBytes + ")");
        }
        return null;
    }
}
