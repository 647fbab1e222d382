package io.mesh4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.client.HashKey;
import io.mesh4j.client.ServiceSettings;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

class HashKeysTest {

    private final ServiceSettings settings =
            ServiceSettings.custom().hashKeyHeader("X-User").hashKeyCookie("session").build();

    private String hashKey(Request.Builder request) {
        return HashKeys.of(settings, request.url("http://carts/").build());
    }

    @Test
    void shouldPreferTagThenHeaderThenCookieWhenFindingHashKey() {
        Request.Builder all = new Request.Builder().tag(HashKey.class, HashKey.of("tagged"))
                .header("X-User", "from-header").header("Cookie", "a=1; session=from-cookie");

        assertThat(hashKey(all)).isEqualTo("tagged");
        assertThat(hashKey(all.tag(HashKey.class, null))).isEqualTo("from-header");
        assertThat(hashKey(all.removeHeader("X-User"))).isEqualTo("from-cookie");
        assertThat(hashKey(all.removeHeader("Cookie"))).isNull();
    }

    @Test
    void shouldHaveNoHashKeyWhenNothingIsConfigured() {
        assertThat(HashKeys.of(ServiceSettings.ofDefaults(),
                new Request.Builder().url("http://carts/").header("X-User", "u").build())).isNull();
    }
}
