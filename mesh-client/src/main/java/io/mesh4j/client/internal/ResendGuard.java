package io.mesh4j.client.internal;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * The network interceptor of every OkHttp client the mesh builds or derives. It keeps OkHttp from resending a
 * request below the mesh when a server answers 503 with {@code Retry-After: 0}: OkHttp's follow-up logic resends
 * such a request at once, whatever its method, where the mesh would not see or count it. The guard rewrites that
 * header to the equivalent HTTP-date, the response's own {@code Date} (else the epoch): "retry now" to anyone who
 * reads it (RFC 9110 10.2.3: a date in the past), and no resend to OkHttp, which follows only a delay of 0 seconds.
 * Whether to try again is then the mesh's retry policy's decision, within its budget.
 *
 * <p>OkHttp's other resends (after a connection failure, and of a 408) follow the chain's
 * {@code retryOnConnectionFailure}, which the mesh interceptor turns off for every attempt on any client.
 *
 * <p>Stateless and thread-safe.
 */
final class ResendGuard implements Interceptor {

    static final ResendGuard INSTANCE = new ResendGuard();

    private static final String EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT";

    private ResendGuard() {
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Response response = chain.proceed(chain.request());
        if (response.code() != 503) {
            return response;
        }
        String retryAfter = response.header("Retry-After");
        if (retryAfter == null || !zeroSeconds(retryAfter)) {
            return response;
        }
        String date = response.header("Date");
        return response.newBuilder().header("Retry-After", date != null ? date : EPOCH).build();
    }

    /** Whether {@code value} is delay-seconds of 0 ({@code 0}, {@code 00}, ...), which OkHttp would resend at once. */
    static boolean zeroSeconds(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
