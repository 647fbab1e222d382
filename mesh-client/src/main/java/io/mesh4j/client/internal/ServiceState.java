package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Subscription;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.BalancerStats;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.client.ActiveHealthCheck;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.resilience.HedgingPolicy;
import io.mesh4j.resilience.RetryPolicy;
import io.mesh4j.resilience.ServiceGuard;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the client holds for one service it has seen: its settings, its balancer (fed by a discovery subscription),
 * its active health checker if configured, and the size of the last instance set, for error messages.
 *
 * <p>Thread-safe: discovery updates arrive serialized on the discovery's thread; request threads only read.
 */
public final class ServiceState implements AutoCloseable {

    private final String name;
    private final ServiceSettings settings;
    private final LoadBalancer balancer;
    private volatile UrlRewriter urlRewriter = UrlRewriter.forInstances(0);
    private final AtomicInteger activeCalls = new AtomicInteger();
    @Nullable
    private volatile ServiceMeters meters;
    private final RetryPolicy retryPolicy;
    private final HedgingPolicy hedgingPolicy;
    private final ServiceGuard guard;
    private volatile int knownInstances;
    private List<ServiceInstance> lastInstances = List.of();
    private volatile Subscription subscription = () -> { };

    @Nullable
    private final ClientResources resources;
    private final InstanceHealth instanceHealth;
    @Nullable
    private final ActiveHealthChecker healthChecker;
    @Nullable
    private final InstanceBreakers instanceBreakers;

    ServiceState(String name, ServiceSettings settings) {
        this(name, settings, null, Ticker.system());
    }

    ServiceState(String name, ServiceSettings settings, ClientResources resources) {
        this(name, settings, resources, resources.ticker());
    }

    private ServiceState(String name, ServiceSettings settings, @Nullable ClientResources resources, Ticker ticker) {
        this.name = name;
        this.settings = settings;
        this.balancer = settings.balancer().newLoadBalancer(name, ticker);
        this.resources = resources;
        this.retryPolicy = RetryPolicy.create(settings.retry(), ticker);
        this.hedgingPolicy = HedgingPolicy.create(settings.hedging(), retryPolicy.budget());
        this.guard = ServiceGuard.create(name, settings.rateLimit(), settings.concurrencyLimit(),
                settings.adaptiveConcurrencyLimit(), settings.circuitBreaker());
        this.instanceHealth = new InstanceHealth(balancer);
        ActiveHealthCheck check = settings.activeHealthCheck();
        this.healthChecker = check != null && resources != null
                ? new ActiveHealthChecker(name, check, resources.baseClient(), instanceHealth)
                : null;
        this.instanceBreakers = settings.instanceCircuitBreaker() != null
                ? new InstanceBreakers(name, settings.instanceCircuitBreaker(), instanceHealth)
                : null;
    }

    /** Starts background work (active health checks), once the first instances are known. */
    void start() {
        if (resources == null) {
            return;
        }
        if (healthChecker != null) {
            healthChecker.start(resources.scheduler());
        }
        if (instanceBreakers != null) {
            instanceBreakers.start(resources.scheduler());
        }
    }

    /** Feeds an attempt's verdict to its instance's circuit breaker, when per-instance breakers are on. */
    void instanceOutcome(ServiceInstance instance, AttemptOutcome outcome, long latencyNanos) {
        if (instanceBreakers != null) {
            instanceBreakers.record(instance, outcome, latencyNanos);
        }
    }

    void subscribed(Subscription subscription) {
        this.subscription = subscription;
    }

    synchronized void onInstances(List<ServiceInstance> instances) {
        // Discovery repeats the current set (a new subscription is told it at once): rebuilding the picker and
        // the rewrite table for it would only restart round robin and forget remembered rewrites.
        if (instances.equals(lastInstances)) {
            return;
        }
        lastInstances = List.copyOf(instances);
        urlRewriter = UrlRewriter.forInstances(instances.size());
        balancer.updateInstances(instances);
        if (healthChecker != null) {
            healthChecker.onInstances(instances);
        }
        if (healthChecker != null || instanceBreakers != null) {
            Set<String> ids = new HashSet<>();
            instances.forEach(instance -> ids.add(instance.id()));
            instanceHealth.retain(ids);
            if (instanceBreakers != null) {
                instanceBreakers.retain(ids);
            }
        }
        knownInstances = instances.size();
    }

    /** The logical service name. */
    public String name() {
        return name;
    }

    /** The settings in force for this service. */
    public ServiceSettings settings() {
        return settings;
    }

    /** The current balancer snapshot: read once per call. */
    public Picker picker() {
        return balancer.picker();
    }

    /** Rewrites this service's URLs to its instances. */
    UrlRewriter urlRewriter() {
        return urlRewriter;
    }

    /** The service's rate limit, concurrency limit and circuit breaker. */
    public ServiceGuard guard() {
        return guard;
    }

    /** The service's retry decisions and budget. */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** The service's hedging decisions; its hedges draw on the retry budget. */
    public HedgingPolicy hedgingPolicy() {
        return hedgingPolicy;
    }

    /** The service's meter cache, or {@code null} until metrics make one. */
    @Nullable
    ServiceMeters meters() {
        return meters;
    }

    void meters(ServiceMeters meters) {
        this.meters = meters;
    }

    void callStarted() {
        activeCalls.incrementAndGet();
    }

    void callEnded() {
        activeCalls.decrementAndGet();
    }

    /** Calls in flight, counted only while metrics are on. */
    int activeCalls() {
        return activeCalls.get();
    }

    BalancerStats balancerStats() {
        return balancer.stats();
    }

    /** How many instances discovery listed last. */
    public int knownInstances() {
        return knownInstances;
    }

    @Override
    public void close() {
        if (healthChecker != null) {
            healthChecker.close();
        }
        if (instanceBreakers != null) {
            instanceBreakers.close();
        }
        subscription.close();
        balancer.close();
    }
}
