package io.mesh4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class UrlRedactionTest {

    @Test
    void shouldKeepUrlAsIsWhenNothingIsSensitive() {
        assertThat(UrlRedaction.redact(HttpUrl.get("http://orders/v1/items?q=1&page=2")))
                .isEqualTo("http://orders/v1/items?q=1&page=2");
    }

    @Test
    void shouldDropUserInfoAndRedactSecretParametersWhenPresent() {
        assertThat(UrlRedaction.redact(HttpUrl.get("http://user:pw@orders/x?q=1&Signature=abc&api_key=k&sig=2")))
                .isEqualTo("http://orders/x?q=1&Signature=REDACTED&api_key=REDACTED&sig=REDACTED");
    }
}
