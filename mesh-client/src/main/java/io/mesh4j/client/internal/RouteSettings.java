package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.resilience.HedgingConfig;
import io.mesh4j.resilience.RetryConfig;
import io.mesh4j.resilience.TimeoutConfig;
import io.mesh4j.routing.Route;
import io.mesh4j.routing.ServiceRoutes;

/**
 * The timeouts, retry and hedging of one route: what the route sets, the service's settings for the rest. Working
 * them out is also the check that they fit together (a route's per-try timeout longer than the service's overall
 * timeout does not), so a policy is checked whole before any of it takes effect.
 *
 * <p>Immutable.
 */
final class RouteSettings {

    final TimeoutConfig timeouts;
    /** The route's retry settings, or {@code null} when they are the service's. */
    @Nullable
    final RetryConfig retry;
    /** The route's hedging settings, or {@code null} when they are the service's. */
    @Nullable
    final HedgingConfig hedging;

    private RouteSettings(TimeoutConfig timeouts, @Nullable RetryConfig retry, @Nullable HedgingConfig hedging) {
        this.timeouts = timeouts;
        this.retry = retry;
        this.hedging = hedging;
    }

    /**
     * The settings of {@code route} of {@code service} over {@code settings}.
     *
     * @throws IllegalArgumentException naming the service and route when they do not fit together
     */
    static RouteSettings of(String service, Route route, ServiceSettings settings) {
        try {
            TimeoutConfig timeouts = settings.timeouts();
            if (route.timeout() != null || route.perTryTimeout() != null) {
                TimeoutConfig.Builder builder = TimeoutConfig.from(timeouts);
                if (route.perTryTimeout() != null) {
                    builder.perTryTimeout(route.perTryTimeout());
                }
                if (route.timeout() != null) {
                    builder.overallTimeout(route.timeout());
                }
                timeouts = builder.build();
            }
            RetryConfig retry = null;
            if (route.maxAttempts() != 0 || route.retryOn() != null) {
                RetryConfig.Builder builder = RetryConfig.from(settings.retry());
                if (route.maxAttempts() != 0) {
                    builder.maxAttempts(route.maxAttempts());
                }
                if (route.retryOn() != null) {
                    builder.retryStatuses(route.retryOn());
                }
                retry = builder.build();
            }
            HedgingConfig hedging = null;
            if (route.maxHedges() == 0) {
                hedging = HedgingConfig.disabled();
            } else if (route.maxHedges() > 0) {
                hedging = HedgingConfig.custom().maxHedges(route.maxHedges()).delay(route.hedgeDelay()).build();
            }
            return new RouteSettings(timeouts, retry, hedging);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("route '" + route.name() + "' of service '" + service + "': "
                    + e.getMessage(), e);
        }
    }

    /**
     * Checks that every route of {@code routes} fits the service's {@code settings}.
     *
     * @throws IllegalArgumentException naming the service and route when one does not
     */
    static void check(ServiceRoutes routes, ServiceSettings settings) {
        for (Route route : routes.routes()) {
            of(routes.service(), route, settings);
        }
    }
}
