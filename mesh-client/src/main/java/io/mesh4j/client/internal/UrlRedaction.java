package io.mesh4j.client.internal;

import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * Makes a URL safe to record in spans: drops user name and password, and replaces the values of query parameters
 * that commonly carry credentials (signed-URL signatures, tokens, API keys) with {@code REDACTED}, as OpenTelemetry's
 * HTTP conventions recommend for {@code url.full}.
 */
final class UrlRedaction {

    private static final Set<String> SENSITIVE = Set.of(
            "awsaccesskeyid", "signature", "sig", "x-goog-signature", "x-amz-signature", "x-amz-credential",
            "x-amz-security-token", "token", "access_token", "id_token", "refresh_token", "api_key", "apikey",
            "key", "password", "secret", "client_secret");

    private UrlRedaction() {
    }

    static String redact(HttpUrl url) {
        boolean clean = url.username().isEmpty() && url.password().isEmpty();
        for (int i = 0, n = url.querySize(); i < n && clean; i++) {
            clean = !isSensitive(url.queryParameterName(i));
        }
        if (clean) {
            return url.toString();
        }
        HttpUrl.Builder builder = url.newBuilder().username("").password("");
        for (String name : url.queryParameterNames()) {
            if (isSensitive(name)) {
                builder.setQueryParameter(name, "REDACTED");
            }
        }
        return builder.build().toString();
    }

    private static boolean isSensitive(String name) {
        return SENSITIVE.contains(name.toLowerCase(Locale.ROOT));
    }
}
