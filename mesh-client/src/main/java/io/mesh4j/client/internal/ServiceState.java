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
import io.mesh4j.routing.Mirror;
import io.mesh4j.routing.Route;
import io.mesh4j.routing.ServiceRoutes;
import io.mesh4j.routing.Subset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import okhttp3.OkHttpClient;

/**
 * What the client holds for one service it has seen: its settings, its balancer (fed by a discovery subscription),
 * a balancer per subset its routes send to, its routes as calls run them, its active health checker if configured,
 * and the size of the last instance set, for error messages.
 *
 * <p>What outlives a policy change stays here: the service's balancer, retry budget, guard and per-instance
 * breakers always, and a subset's balancer for as long as the policies declare an equal subset.
 *
 * <p>Thread-safe: discovery updates and policy changes are serialized by this object's monitor; request threads only
 * read volatile snapshots.
 */
public final class ServiceState implements AutoCloseable {

    private final String name;
    private final ServiceSettings settings;
    private final Ticker ticker;
    private final LoadBalancer balancer;
    private final SubsetTarget wholeService;
    private final ServiceRoute defaultRoute;
    private volatile ServiceRouting routing;
    /** The balancers of the subsets the current routes send to; guarded by this object's monitor. */
    private Map<Subset, SubsetTarget> subsets = Map.of();
    private boolean closed;
    private volatile UrlRewriter urlRewriter;
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
    private final ServiceTls tls;
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
        this.ticker = ticker;
        this.balancer = settings.balancer().newLoadBalancer(name, ticker);
        this.wholeService = new SubsetTarget(null, balancer);
        this.resources = resources;
        this.retryPolicy = RetryPolicy.create(settings.retry(), ticker);
        this.hedgingPolicy = HedgingPolicy.create(settings.hedging(), retryPolicy.budget());
        this.guard = ServiceGuard.create(name, settings.rateLimit(), settings.concurrencyLimit(),
                settings.adaptiveConcurrencyLimit(), settings.circuitBreaker());
        this.instanceHealth = new InstanceHealth(balancer);
        this.tls = settings.tls() == null ? null : new ServiceTls(name, settings.tls());
        this.urlRewriter = UrlRewriter.forInstances(0, tls != null);
        ActiveHealthCheck check = settings.activeHealthCheck();
        this.healthChecker = check != null && resources != null
                ? new ActiveHealthChecker(name, check, resources.baseClient(), instanceHealth)
                : null;
        this.instanceBreakers = settings.instanceCircuitBreaker() != null
                ? new InstanceBreakers(name, settings.instanceCircuitBreaker(), instanceHealth)
                : null;
        this.defaultRoute = new ServiceRoute(null, new SubsetTarget[] {wholeService}, null, settings.timeouts(),
                retryPolicy, hedgingPolicy, null);
        this.routing = new ServiceRouting(0, new ServiceRoute[] {defaultRoute});
    }

    /**
     * Puts {@code routes} into effect as policy number {@code generation}, unless a later one is in effect already:
     * calls that start from now on follow them, calls in flight finish under the routes they started with. Subsets
     * equal to ones of the routes before keep their balancers; the others get new ones, seeded with the current
     * instances and their health; balancers of subsets no longer used are dropped.
     *
     * @param routes the service's routes, or {@code null} when it has none
     * @throws IllegalArgumentException when a route does not fit the service's settings; nothing changes then
     */
    synchronized void applyRoutes(long generation, @Nullable ServiceRoutes routes) {
        if (closed || generation <= routing.generation()) {
            return;
        }
        Map<Subset, SubsetTarget> next = new HashMap<>();
        List<SubsetTarget> created = new ArrayList<>();
        ServiceRouting compiled;
        try {
            compiled = compile(generation, routes, subset -> next.computeIfAbsent(subset, key -> {
                SubsetTarget kept = subsets.get(key);
                if (kept != null) {
                    return kept;
                }
                SubsetTarget target = new SubsetTarget(key, settings.balancer().newLoadBalancer(name, ticker));
                created.add(target);
                target.onInstances(lastInstances);
                instanceHealth.attach(target.balancer());
                return target;
            }));
        } catch (RuntimeException e) {
            created.forEach(this::drop);
            throw e;
        }
        routing = compiled;
        Map<SubsetTarget, Boolean> used = new IdentityHashMap<>();
        next.values().forEach(target -> used.put(target, true));
        for (SubsetTarget old : subsets.values()) {
            if (!used.containsKey(old)) {
                drop(old);
            }
        }
        subsets = next;
    }

    private ServiceRouting compile(long generation, @Nullable ServiceRoutes routes,
            Function<Subset, SubsetTarget> targets) {
        if (routes == null) {
            return new ServiceRouting(generation, new ServiceRoute[] {defaultRoute});
        }
        SubsetTarget fallback = routes.fallbackSubset() == null ? null
                : targets.apply(routes.subset(routes.fallbackSubset()));
        List<Route> list = routes.routes();
        ServiceRoute[] compiled = new ServiceRoute[list.size() + 1];
        for (int i = 0; i < list.size(); i++) {
            Route route = list.get(i);
            RouteSettings routeSettings = RouteSettings.of(name, route, settings);
            List<String> names = route.subsets();
            SubsetTarget[] routeTargets = new SubsetTarget[names.size()];
            for (int j = 0; j < routeTargets.length; j++) {
                routeTargets[j] = targets.apply(routes.subset(names.get(j)));
            }
            RetryPolicy retry = routeSettings.retry == null ? retryPolicy
                    : RetryPolicy.create(routeSettings.retry, retryPolicy.budget());
            HedgingPolicy hedging = routeSettings.hedging == null ? hedgingPolicy
                    : HedgingPolicy.create(routeSettings.hedging, retryPolicy.budget());
            Mirror mirror = route.mirror();
            SubsetTarget mirrorTarget = mirror == null || mirror.subset() == null ? null
                    : targets.apply(routes.subset(mirror.subset()));
            compiled[i] = new ServiceRoute(route, routeTargets, fallback, routeSettings.timeouts, retry, hedging,
                    mirrorTarget);
        }
        compiled[list.size()] = defaultRoute;
        return new ServiceRouting(generation, compiled);
    }

    private void drop(SubsetTarget target) {
        instanceHealth.detach(target.balancer());
        target.balancer().close();
    }

    /** The routes calls follow now: read once per call. */
    ServiceRouting routing() {
        return routing;
    }


    /** Starts background work (active health checks, TLS file checks), once the first instances are known. */
    void start(Telemetry telemetry) {
        if (resources == null) {
            return;
        }
        if (tls != null) {
            tls.start(resources.scheduler(), telemetry);
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
        urlRewriter = UrlRewriter.forInstances(instances.size(), tls != null);
        wholeService.onInstances(lastInstances);
        for (SubsetTarget target : subsets.values()) {
            target.onInstances(lastInstances);
        }
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

    /** The current snapshot of the whole service's balancer. */
    public Picker picker() {
        return balancer.picker();
    }

    /**
     * The client an attempt to this service is sent through when the mesh runs the call over {@code base}: {@code base}
     * itself, or its variant with the service's TLS.
     */
    OkHttpClient attemptClient(OkHttpClient base) {
        return tls == null ? base : tls.clientFor(base);
    }

    /** Whether the service has TLS settings of its own, which only calls the mesh runs can apply. */
    boolean hasOwnTls() {
        return tls != null;
    }

    /** Rewrites this service's URLs to its instances. */
    UrlRewriter urlRewriter() {
        return urlRewriter;
    }

    /** The service's rate limit, concurrency limit and circuit breaker. */
    public ServiceGuard guard() {
        return guard;
    }

    /**
     * Whether the service's balancer weighs latencies: the losers of a hedge then run on until they answer, so it
     * hears their real latency. A subset's balancer comes from the same factory.
     */
    boolean balancerWeighsLatency() {
        return balancer.weighsLatency();
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
        synchronized (this) {
            closed = true;
            subsets.values().forEach(this::drop);
            subsets = Map.of();
        }
        if (healthChecker != null) {
            healthChecker.close();
        }
        if (instanceBreakers != null) {
            instanceBreakers.close();
        }
        if (tls != null) {
            tls.close();
        }
        subscription.close();
        balancer.close();
    }
}
