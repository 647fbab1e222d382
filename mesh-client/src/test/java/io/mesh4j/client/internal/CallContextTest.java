package io.mesh4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.client.HashKey;
import io.mesh4j.client.ServiceSettings;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

class CallContextTest {

    private final ServiceState service = new ServiceState("carts",
            ServiceSettings.custom().hashKeyHeader("X-User").hashKeyCookie("session").build());

    private String hashKey(Request.Builder request) {
        return new CallContext(service, request.url("http://carts/").build()).hashKey();
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
        ServiceState plain = new ServiceState("carts", ServiceSettings.ofDefaults());

        assertThat(new CallContext(plain, new Request.Builder().url("http://carts/").header("X-User", "u").build())
                .hashKey()).isNull();
    }
}
