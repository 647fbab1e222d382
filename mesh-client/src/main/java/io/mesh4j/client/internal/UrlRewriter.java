package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import okhttp3.HttpUrl;

/**
 * Rewrites a mesh URL ({@code http://orders/v1/items?q=1}) to one instance ({@code http://10.0.0.7:8080/v1/items?q=1}),
 * remembering recent rewrites. The scheme is {@code https} when the caller asked for it or the instance is marked
 * {@link ServiceInstance#secure()}: a mesh URL is never downgraded to plain HTTP. OkHttp's {@code HttpUrl.Builder} re-encodes every path segment and query parameter
 * and canonicalizes the host: one to two microseconds and about a kilobyte per rewrite, ten times the rest of the
 * mesh's work. Services are mostly called with a small set of URLs, so a hit returns the rewritten URL built
 * earlier, allocating nothing.
 *
 * <p>The memory is a direct-mapped table per service, sized for the instance set (16 slots per instance, 128 to
 * 65,536 in all) and replaced with it: each URL and instance pair has one slot, and a new pair simply replaces what
 * was there. Thread-safe without locks: entries are immutable (final fields, so safely
 * published through a plain array write), and a lost race only costs a later miss.
 */
final class UrlRewriter {

    private static final int SLOTS_PER_INSTANCE = 16;
    private static final int MIN_SLOTS = 128;
    private static final int MAX_SLOTS = 65_536;

    private final Entry[] slots;
    private final int mask;
    private final boolean alwaysTls;

    private UrlRewriter(int slotCount, boolean alwaysTls) {
        this.slots = new Entry[slotCount];
        this.mask = slotCount - 1;
        this.alwaysTls = alwaysTls;
    }

    /** A rewriter with room for a service of {@code instances} instances. */
    static UrlRewriter forInstances(int instances) {
        return forInstances(instances, false);
    }

    /**
     * A rewriter with room for a service of {@code instances} instances.
     *
     * @param alwaysTls whether every URL goes to {@code https} (a service with its own TLS settings), else only
     *     {@code https} URLs and secure instances
     */
    static UrlRewriter forInstances(int instances, boolean alwaysTls) {
        int wanted = (int) Math.min(MAX_SLOTS, Math.max(MIN_SLOTS, (long) instances * SLOTS_PER_INSTANCE));
        return new UrlRewriter(Integer.highestOneBit(wanted - 1) << 1, alwaysTls);
    }

    /** How many URL and instance pairs it can remember at most. */
    int capacity() {
        return slots.length;
    }

    HttpUrl rewrite(HttpUrl url, ServiceInstance instance) {
        int hash = url.hashCode() * 31 + instance.hashCode();
        int index = (hash ^ (hash >>> 16)) & mask;
        Entry entry = slots[index];
        if (entry != null && entry.instance == instance && entry.original.equals(url)) {
            return entry.rewritten;
        }
        HttpUrl rewritten = url.newBuilder()
                .scheme(alwaysTls || url.isHttps() || instance.secure() ? "https" : "http")
                .host(instance.host())
                .port(instance.port())
                .build();
        slots[index] = new Entry(url, instance, rewritten);
        return rewritten;
    }

    private static final class Entry {
        final HttpUrl original;
        final ServiceInstance instance;
        final HttpUrl rewritten;

        Entry(HttpUrl original, ServiceInstance instance, HttpUrl rewritten) {
            this.original = original;
            this.instance = instance;
            this.rewritten = rewritten;
        }
    }
}
