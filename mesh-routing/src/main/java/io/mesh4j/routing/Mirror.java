package io.mesh4j.routing;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.ServiceNames;
import io.mesh4j.api.annotation.Nullable;

/**
 * Shadow traffic (Envoy's {@code request_mirror_policies}, Istio's {@code mirror}): a route copies a share of its
 * requests to a subset of the same service, or to another service, and forgets them. The caller's answer and
 * latency never depend on a copy: it is sent once (never retried), without waiting for it, its answer is discarded,
 * and copies beyond the client's bound on copies in flight are dropped. Only requests whose body can be sent twice
 * (none, or not one-shot) are copied. The copy carries {@code Host: <authority>-shadow}, as Envoy's does, so the
 * receiving side can tell it from real traffic.
 *
 * <pre>{@code
 * Route.builder("orders").to("v1").mirror(Mirror.toSubset("v2", 10)).build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Mirror {

    @Nullable
    private final String subset;
    @Nullable
    private final String service;
    private final double percent;

    private Mirror(@Nullable String subset, @Nullable String service, double percent) {
        this.subset = subset;
        this.service = service;
        if (!(percent > 0 && percent <= 100)) {
            throw new IllegalArgumentException("mirror percent: " + percent + " (expected: more than 0, up to 100)");
        }
        this.percent = percent;
    }

    /** Copies {@code percent} (more than 0, up to 100) of the route's requests to {@code subset} of its service. */
    public static Mirror toSubset(String subset, double percent) {
        requireNonNull(subset, "subset");
        return new Mirror(subset, null, percent);
    }

    /** Copies {@code percent} (more than 0, up to 100) of the route's requests to any instance of {@code service}. */
    public static Mirror toService(String service, double percent) {
        return new Mirror(null, ServiceNames.check("service", requireNonNull(service, "service")), percent);
    }

    /** The subset copies go to, or {@code null} when they go to another service. */
    @Nullable
    public String subset() {
        return subset;
    }

    /** The service copies go to, or {@code null} when they go to a subset of the route's own service. */
    @Nullable
    public String service() {
        return service;
    }

    /** The share of requests copied, more than 0, up to 100. */
    public double percent() {
        return percent;
    }

    /** Whether a request whose draw is {@code random} (any long) is copied. */
    public boolean copies(long random) {
        return Fault.hits(percent, random);
    }

    @Override
    public String toString() {
        return "Mirror{" + (subset != null ? "subset " + subset : "service " + service) + ", " + percent + "%}";
    }
}
