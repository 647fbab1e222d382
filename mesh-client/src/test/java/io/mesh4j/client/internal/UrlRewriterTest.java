package io.mesh4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.api.ServiceInstance;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class UrlRewriterTest {

    private final UrlRewriter rewriter = UrlRewriter.forInstances(2);
    private final ServiceInstance plain = ServiceInstance.builder("orders", "10.0.0.7", 8080).build();
    private final ServiceInstance secure = ServiceInstance.builder("orders", "::1", 8443).secure(true).build();

    @Test
    void shouldReplaceSchemeHostAndPortOnlyWhenRewriting() {
        HttpUrl url = HttpUrl.get("http://orders/a%20b/c?q=1&x=%2F#frag");

        assertThat(rewriter.rewrite(url, plain).toString()).isEqualTo("http://10.0.0.7:8080/a%20b/c?q=1&x=%2F#frag");
        assertThat(rewriter.rewrite(url, secure).toString()).isEqualTo("https://[::1]:8443/a%20b/c?q=1&x=%2F#frag");
    }

    @Test
    void shouldSizeTableForInstanceSetWhenCreated() {
        assertThat(UrlRewriter.forInstances(0).capacity()).isEqualTo(128);
        assertThat(UrlRewriter.forInstances(8).capacity()).isEqualTo(128);
        assertThat(UrlRewriter.forInstances(9).capacity()).isEqualTo(256);
        assertThat(UrlRewriter.forInstances(100).capacity()).isEqualTo(2048);
        assertThat(UrlRewriter.forInstances(1_000_000).capacity()).isEqualTo(65_536);
    }

    @Test
    void shouldReturnRememberedUrlWhenSameUrlAndInstanceRepeat() {
        HttpUrl first = rewriter.rewrite(HttpUrl.get("http://orders/v1/items?q=1"), plain);

        HttpUrl again = rewriter.rewrite(HttpUrl.get("http://orders/v1/items?q=1"), plain);

        assertThat(again).isSameAs(first);
    }

    @Test
    void shouldNotConfuseInstancesOrUrlsWhenTheyShareASlot() {
        for (int i = 0; i < 1_000; i++) {
            HttpUrl url = HttpUrl.get("http://orders/item/" + i);
            ServiceInstance instance = i % 2 == 0 ? plain : secure;
            HttpUrl rewritten = rewriter.rewrite(url, instance);
            assertThat(rewritten.encodedPath()).isEqualTo("/item/" + i);
            assertThat(rewritten.port()).isEqualTo(instance.port());
        }
        HttpUrl url = HttpUrl.get("http://orders/item/7");
        ServiceInstance moved = plain.toBuilder().build();

        assertThat(rewriter.rewrite(url, moved).host()).isEqualTo("10.0.0.7");
    }
}
