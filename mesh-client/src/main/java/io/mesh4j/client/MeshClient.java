package io.mesh4j.client;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.ClientClosedException;
import io.mesh4j.api.PolicySource;
import io.mesh4j.api.ServiceDiscovery;
import io.mesh4j.api.ServiceNames;
import io.mesh4j.api.Subscription;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.Checks;
import io.mesh4j.client.internal.CallTracing;
import io.mesh4j.client.internal.ClientResources;
import io.mesh4j.client.internal.MeshCallHandler;
import io.mesh4j.client.internal.RequestLimits;
import io.mesh4j.client.internal.ServiceRegistry;
import io.mesh4j.client.internal.ServiceState;
import io.mesh4j.client.internal.Telemetry;
import io.mesh4j.resilience.ServiceGuard;
import io.mesh4j.routing.MeshPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.slf4j.event.Level;

/**
 * A service mesh inside the caller, and an OkHttp {@link Call.Factory}: a call to {@code http://<service>/...} is
 * resolved through {@link ServiceDiscovery}, balanced over the service's instances and sent to the picked one, with
 * the service's retries, hedging, timeouts and breakers. Each attempt is a call of its own through an OkHttp client:
 * {@link #okHttpClient()} for {@link #newCall}, your own for {@link #callFactory}. The {@link #interceptor()} gives
 * the same on any OkHttp client, except hedging.
 *
 * <pre>{@code
 * StaticDiscovery discovery = StaticDiscovery.of(
 *     ServiceInstance.builder("orders", "10.0.0.7", 8080).build(),
 *     ServiceInstance.builder("orders", "10.0.0.8", 8080).build());
 * try (MeshClient mesh = MeshClient.builder().discovery(discovery).build()) {
 *     Request request = new Request.Builder().url("http://orders/v1/items?q=1").build();
 *     try (Response response = mesh.newCall(request).execute()) {
 *         System.out.println(response.body().string());
 *     }
 * }
 * }</pre>
 *
 * <p>Thread-safe: share one client. Its configuration is fixed when it is built, except its routing policy
 * ({@link Builder#policy}), which {@link #updatePolicy} and a {@link Builder#policySource policy source} replace as
 * a whole while calls flow, keeping what the balancers learnt. {@link #newBuilder()} derives a client with other
 * settings; it shares the OkHttp connection pool and dispatcher but keeps its own balancers. {@link #close()} stops this client's
 * discovery subscriptions and balancers; the {@link ServiceDiscovery} itself belongs to the caller and stays open.
 *
 * <p>What the mesh changes in OkHttp's behaviour, so that a request reaches the network only as an attempt the mesh
 * decided and counted: {@link #okHttpClient()}, and the client each {@link #callFactory} sends through, is derived
 * from the given client with {@code retryOnConnectionFailure(false)} and a network interceptor that keeps OkHttp from
 * resending a 503 with {@code Retry-After: 0} (that header reaches you as the equivalent HTTP-date); the mesh's own
 * retry policy decides instead. For mesh calls on any client, also one the {@link #interceptor()} was added to, each
 * attempt runs with OkHttp's connection retry off and with the service's per-try timeout as its connect, read and
 * write timeouts; on such a client OkHttp's resend of a 503 with {@code Retry-After: 0} cannot be stopped, and the
 * first one is logged as a warning. Every time the mesh measures is read from one {@link Ticker}
 * ({@link Builder#ticker}).
 */
public final class MeshClient implements Call.Factory, AutoCloseable {

    /**
     * Idle connections the OkHttp client a mesh client creates keeps, for all hosts together. OkHttp's default, 5,
     * suits a client calling a few hosts; a mesh calls every instance of every service, and a pool that small closes
     * connections it will need again at once (with TLS, each a new handshake).
     */
    private static final int IDLE_CONNECTIONS = 64;

    private final ServiceDiscovery discovery;
    private final ServiceSettings defaultSettings;
    private final Map<String, ServiceSettings> serviceSettings;
    private final UnknownHostPolicy unknownHostPolicy;
    @Nullable
    private final MeterRegistry meterRegistry;
    private final boolean meterInstanceTags;
    @Nullable
    private final OpenTelemetry openTelemetry;
    @Nullable
    private final Level accessLogLevel;
    private final Ticker ticker;
    private final OkHttpClient baseClient;
    @Nullable
    private final ThreadPoolExecutor ownedDispatcherThreads;
    private final ServiceRegistry registry;
    @Nullable
    private final PolicySource policySource;
    @Nullable
    private final Subscription policySubscription;
    private final int maxMirrorsInFlight;
    private final int maxRequestHeaders;
    private final int maxRequestHeaderBytes;
    private final MeshCallHandler handler;
    private final MeshInterceptor interceptor;
    /** The interceptor of {@link #okHttpClient}, which knows it is on the mesh's own client. */
    private final MeshInterceptor ownInterceptor;
    private final OkHttpClient okHttpClient;

    private MeshClient(Builder builder, ServiceDiscovery discovery) {
        this.discovery = discovery;
        this.defaultSettings = builder.defaultSettings;
        this.serviceSettings = Map.copyOf(builder.serviceSettings);
        this.unknownHostPolicy = builder.unknownHostPolicy;
        this.meterRegistry = builder.meterRegistry;
        this.meterInstanceTags = builder.meterInstanceTags;
        this.openTelemetry = builder.openTelemetry;
        this.accessLogLevel = builder.accessLogLevel;
        this.ticker = builder.ticker;
        if (builder.baseClient != null) {
            this.baseClient = builder.baseClient;
            this.ownedDispatcherThreads = null;
        } else {
            this.ownedDispatcherThreads = newDispatcherThreads();
            ExecutorService executor = openTelemetry != null
                    ? CallTracing.contextPropagating(ownedDispatcherThreads)
                    : ownedDispatcherThreads;
            this.baseClient = new OkHttpClient.Builder().dispatcher(new Dispatcher(executor))
                    .connectionPool(new ConnectionPool(IDLE_CONNECTIONS, 5, TimeUnit.MINUTES)).build();
        }
        Telemetry telemetry = new Telemetry(meterRegistry, meterInstanceTags, openTelemetry, accessLogLevel,
                discovery, ticker);
        this.registry = new ServiceRegistry(discovery, this::settingsFor, new ClientResources(baseClient, ticker),
                telemetry, builder.policy);
        this.policySource = builder.policySource;
        this.maxMirrorsInFlight = builder.maxMirrorsInFlight;
        this.policySubscription = policySource == null ? null
                : policySource.subscribe(document -> registry.acceptDocument(document, policySource.name()));
        this.maxRequestHeaders = builder.maxRequestHeaders;
        this.maxRequestHeaderBytes = builder.maxRequestHeaderBytes;
        this.handler = new MeshCallHandler(registry, unknownHostPolicy, telemetry, ticker,
                builder.maxMirrorsInFlight, this::okHttpClient,
                new RequestLimits(builder.maxRequestHeaders, builder.maxRequestHeaderBytes));
        this.interceptor = new MeshInterceptor(handler, false);
        this.ownInterceptor = new MeshInterceptor(handler, true);
        this.okHttpClient = ClientResources.derive(baseClient).addInterceptor(ownInterceptor).build();
    }

    /**
     * The threads of the dispatcher of the OkHttp client a mesh client creates when given none: daemon threads, so
     * that they never keep a JVM alive, idle ones ending after a minute. With OpenTelemetry on, asynchronous calls
     * run with the caller's current context, so their spans continue the caller's trace.
     */
    private static ThreadPoolExecutor newDispatcherThreads() {
        ThreadFactory daemons = runnable -> {
            Thread thread = new Thread(runnable, "mesh4j-okhttp-dispatcher");
            thread.setDaemon(true);
            return thread;
        };
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), daemons);
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A call through the mesh: everything the service's settings ask for, hedging included. Its attempts are calls
     * of {@link #okHttpClient()}, so they share the base client's connection pool, dispatcher, TLS and
     * interceptors; asynchronous calls hold no dispatcher thread while they wait for a backoff or a hedge delay, and
     * each attempt counts against the dispatcher's per-host limit of its own instance. A host that is no mesh
     * service is one plain call of {@link #okHttpClient()}.
     */
    @Override
    public Call newCall(Request request) {
        return handler.newCall(okHttpClient, requireNonNull(request, "request"));
    }

    /**
     * Calls through the mesh whose attempts are calls of {@code client}, your own: each attempt runs its
     * application and network interceptors, TLS settings, proxy and connection pool. The attempts run on a client
     * derived from it with the mesh's changes (see the class documentation) and, if it lacks it, the mesh
     * interceptor, which applies each attempt's timeouts; {@code client} itself is not changed. Derive once and
     * keep the factory: it is immutable and thread-safe.
     *
     * <pre>{@code
     * Call.Factory calls = mesh.callFactory(existingClient);
     * Response response = calls.newCall(new Request.Builder().url("http://orders/v1/items").build()).execute();
     * }</pre>
     */
    public Call.Factory callFactory(OkHttpClient client) {
        requireNonNull(client, "client");
        OkHttpClient.Builder attempts = ClientResources.derive(client);
        if (!attempts.interceptors().contains(interceptor) && !attempts.interceptors().contains(ownInterceptor)) {
            attempts.addInterceptor(interceptor);
        }
        OkHttpClient attemptClient = attempts.build();
        return request -> handler.newCall(attemptClient, requireNonNull(request, "request"));
    }

    /**
     * An OkHttp client with the mesh interceptor installed, derived from the configured base client (sharing its
     * connection pool, dispatcher, TLS and interceptors) with OkHttp's own resends turned off: see the class
     * documentation. Its interceptor is not {@link #interceptor()} but one that knows it sits on the mesh's own
     * client, so calls to a service with {@link ServiceSettings#tls() TLS settings} of its own work through it.
     */
    public OkHttpClient okHttpClient() {
        return okHttpClient;
    }

    /**
     * The interceptor, for adding the mesh to an OkHttp client of your own: everything but hedging, which needs the
     * mesh to run the call ({@link #newCall}, {@link #callFactory}). On such a client OkHttp may still resend a 503
     * with {@code Retry-After: 0} below the mesh (logged once); {@link #callFactory} prevents that.
     */
    public MeshInterceptor interceptor() {
        return interceptor;
    }

    /** The routing policy in effect: the routes, subsets and splits of every service that has them. */
    public MeshPolicy policy() {
        return registry.policy();
    }

    /**
     * Replaces the routing policy as a whole, while calls flow: calls that start from now on follow {@code policy},
     * calls in flight finish under the one they started with. What the mesh has learnt is kept: each service's
     * balancer, retry budget, guard and per-instance breakers, and the balancer (latency averages, ejections) of
     * every subset that {@code policy} declares exactly as before (same name, tags and metadata). Counted in
     * {@code mesh.policy.updates} with {@code source=code}.
     *
     * <pre>{@code
     * mesh.updatePolicy(MeshPolicy.builder().service(ServiceRoutes.builder("orders")
     *     .subset(v1).subset(v2)
     *     .route(Route.builder("canary").split("v1", 50).split("v2", 50).build())
     *     .build()).build());
     * }</pre>
     *
     * @throws IllegalArgumentException naming the service and route when a route does not fit its service's
     *     settings (such as a per-try timeout longer than the service's overall timeout); the policy before stays in
     *     effect
     */
    public void updatePolicy(MeshPolicy policy) {
        registry.updatePolicy(policy, "code");
    }

    /** The clock every time the mesh measures is read from. */
    public Ticker ticker() {
        return ticker;
    }

    /** The discovery this client reads. */
    public ServiceDiscovery discovery() {
        return discovery;
    }

    /**
     * The rate limit, concurrency limit and circuit breaker of {@code service} (for their state and events, such
     * as {@code guard.circuitBreaker().getEventPublisher().onStateTransition(...)}), or {@code null} if discovery
     * does not know the service or this client is closed.
     */
    @Nullable
    public ServiceGuard guard(String service) {
        requireNonNull(service, "service");
        try {
            ServiceState state = registry.find(service);
            return state == null ? null : state.guard();
        } catch (ClientClosedException closed) {
            return null;
        }
    }

    /** The settings in force for {@code service}: its own if configured, else the defaults. */
    public ServiceSettings settingsFor(String service) {
        return serviceSettings.getOrDefault(requireNonNull(service, "service"), defaultSettings);
    }

    /**
     * A builder that starts from this client's configuration and the policy in effect now, sharing its base OkHttp
     * client. The client it builds learns afresh: balancers, budgets and breakers are its own.
     */
    public Builder newBuilder() {
        Builder builder = new Builder()
                .discovery(discovery)
                .policy(policy())
                .defaultSettings(defaultSettings)
                .unknownHostPolicy(unknownHostPolicy)
                .okHttpClient(baseClient)
                .meterInstanceTags(meterInstanceTags)
                .accessLogLevel(accessLogLevel)
                .ticker(ticker);
        builder.meterRegistry = meterRegistry;
        builder.openTelemetry = openTelemetry;
        builder.policySource = policySource;
        builder.maxMirrorsInFlight = maxMirrorsInFlight;
        builder.maxRequestHeaders = maxRequestHeaders;
        builder.maxRequestHeaderBytes = maxRequestHeaderBytes;
        builder.serviceSettings.putAll(serviceSettings);
        return builder;
    }

    /**
     * Stops this client's subscriptions (discovery and policy source), balancers, health checks and scheduler
     * thread (the timers of its calls).
     * Afterwards calls to mesh services fail with {@link io.mesh4j.api.ClientClosedException} (an {@code IOException},
     * handed to {@code Callback.onFailure} for asynchronous calls), while calls to other hosts still pass through.
     * When the client created its own OkHttp client (none was given to {@link Builder#okHttpClient}), also closes its
     * idle connections and lets its idle dispatcher threads end at once. The {@link ServiceDiscovery} and the
     * {@link PolicySource} belong to the caller and stay open. Idempotent.
     */
    @Override
    public void close() {
        if (policySubscription != null) {
            policySubscription.close();
        }
        registry.close();
        handler.close();
        if (ownedDispatcherThreads != null) {
            ownedDispatcherThreads.setKeepAliveTime(1, TimeUnit.MILLISECONDS);
            baseClient.connectionPool().evictAll();
        }
    }

    @Override
    public String toString() {
        return "MeshClient{discovery=" + discovery + ", defaults=" + defaultSettings + ", services="
                + serviceSettings + ", unknownHostPolicy=" + unknownHostPolicy + '}';
    }

    /**
     * Builds a {@link MeshClient}. Not thread-safe. Setters reject {@code null} at once; {@link #build()} checks the
     * rest and names the offending field and what it expects.
     */
    public static final class Builder {
        @Nullable
        private ServiceDiscovery discovery;
        private ServiceSettings defaultSettings = ServiceSettings.ofDefaults();
        private final Map<String, ServiceSettings> serviceSettings = new LinkedHashMap<>();
        private UnknownHostPolicy unknownHostPolicy = UnknownHostPolicy.PASS_THROUGH;
        @Nullable
        private OkHttpClient baseClient;
        @Nullable
        private MeterRegistry meterRegistry;
        private boolean meterInstanceTags = true;
        @Nullable
        private OpenTelemetry openTelemetry;
        @Nullable
        private Level accessLogLevel = Level.DEBUG;
        private Ticker ticker = Ticker.system();
        private MeshPolicy policy = MeshPolicy.empty();
        @Nullable
        private PolicySource policySource;
        private int maxMirrorsInFlight = 64;
        private int maxRequestHeaders = 100;
        private int maxRequestHeaderBytes = 60 * 1024;

        private Builder() {
        }

        /**
         * The routing policy to start with: per service, routes that send requests to subsets of its instances or
         * split them by weight, with their own timeouts, retries, hedging, request edits and injected faults. A
         * service without routes sends every request to any of its instances. Replace it later with
         * {@link MeshClient#updatePolicy}. Default: {@link MeshPolicy#empty()}.
         */
        public Builder policy(MeshPolicy policy) {
            this.policy = requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Where routing policy documents come from while the client runs, such as {@link PolicyFile#watch}: each
         * valid document replaces the policy in effect as {@link MeshClient#updatePolicy} does; an invalid one is
         * logged and counted in {@code mesh.policy.updates{result=rejected}}, and the policy in effect stays. The
         * client subscribes when built and unsubscribes when closed; the source itself belongs to the caller.
         * Default: none.
         */
        public Builder policySource(PolicySource policySource) {
            this.policySource = requireNonNull(policySource, "policySource");
            return this;
        }

        /**
         * The most headers a call to a mesh service may carry, 1 to 10,000, and their most bytes as HTTP/1.1 sends
         * them, 1 KiB to 1 MiB: a call over either fails with {@link io.mesh4j.api.RequestTooLargeException} before
         * any attempt, so nothing reaches the network. Defaults: 100 and 60 KiB, Envoy's.
         */
        public Builder maxRequestHeaders(int count, int bytes) {
            Checks.range("maxRequestHeaders", count, 1, 10_000);
            Checks.range("maxRequestHeaderBytes", bytes, 1_024, 1 << 20);
            this.maxRequestHeaders = count;
            this.maxRequestHeaderBytes = bytes;
            return this;
        }

        /**
         * The most mirror copies ({@link io.mesh4j.routing.Mirror}) in flight at once for this client, 1 to 10,000:
         * a copy beyond it is dropped and counted ({@code mesh.client.mirrors{result=dropped}}), so a slow shadow
         * can never pile up work in the caller. Copies of calls the mesh runs ({@link MeshClient#newCall},
         * {@link MeshClient#callFactory}) go through the same client as their attempts; copies of calls through
         * the {@link MeshClient#interceptor()} go through {@link MeshClient#okHttpClient()}. Default: 64.
         */
        public Builder maxMirrorsInFlight(int maxMirrorsInFlight) {
            Checks.range("maxMirrorsInFlight", maxMirrorsInFlight, 1, 10_000);
            this.maxMirrorsInFlight = maxMirrorsInFlight;
            return this;
        }

        /**
         * The one clock of the client: call and attempt times, deadlines, balancer latency and ejection, retry
         * budgets and hedging delays all read it, so a test that moves it drives them all. Waiting itself (backoff,
         * OkHttp's timeouts) still takes real time. Default: {@link Ticker#system()}.
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Records Micrometer meters: a timer per call ({@code mesh.client.requests}), a counter per attempt
         * ({@code mesh.client.attempts}), and per service the gauges {@code mesh.client.requests.active} and
         * {@code mesh.service.instances}. Default: none, and no metrics cost.
         */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        /**
         * Whether the attempt counter carries an {@code instance} tag. Turn it off for services with many or
         * short-lived instances to bound the number of time series. Default: {@code true}.
         */
        public Builder meterInstanceTags(boolean meterInstanceTags) {
            this.meterInstanceTags = meterInstanceTags;
            return this;
        }

        /**
         * Records OpenTelemetry spans (an INTERNAL span per call, a CLIENT span per attempt) and injects the trace
         * context into each attempt with the instance's propagators. Default: none, and no tracing cost.
         */
        public Builder openTelemetry(OpenTelemetry openTelemetry) {
            this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
            return this;
        }

        /**
         * The SLF4J level of the access log (logger {@code io.mesh4j.access}, one line per call with service,
         * instance, method, path, status, outcome, attempts and duration; never headers or query); {@code null}
         * turns it off. Default: {@code DEBUG}.
         */
        public Builder accessLogLevel(@Nullable Level accessLogLevel) {
            this.accessLogLevel = accessLogLevel;
            return this;
        }

        /** Where instances come from, for example {@link StaticDiscovery} or Consul. Required. */
        public Builder discovery(ServiceDiscovery discovery) {
            this.discovery = requireNonNull(discovery, "discovery");
            return this;
        }

        /** Settings for services without their own. Default: {@link ServiceSettings#ofDefaults()}. */
        public Builder defaultSettings(ServiceSettings defaultSettings) {
            this.defaultSettings = requireNonNull(defaultSettings, "defaultSettings");
            return this;
        }

        /** Settings for one service, replacing the defaults for it. */
        public Builder service(String service, ServiceSettings settings) {
            serviceSettings.put(requireNonNull(service, "service"), requireNonNull(settings, "settings"));
            return this;
        }

        /** What to do with hosts discovery does not know. Default: {@link UnknownHostPolicy#PASS_THROUGH}. */
        public Builder unknownHostPolicy(UnknownHostPolicy unknownHostPolicy) {
            this.unknownHostPolicy = requireNonNull(unknownHostPolicy, "unknownHostPolicy");
            return this;
        }

        /**
         * The OkHttp client to derive {@link MeshClient#okHttpClient()} from, sharing its connection pool,
         * dispatcher and timeouts. Default: a new {@code OkHttpClient()} whose pool keeps 64 idle connections
         * instead of OkHttp's 5 (a mesh calls every instance; a small pool closes connections it needs again, each a
         * new TLS handshake), owned and closed by the mesh client. Give your own client a pool as large.
         */
        public Builder okHttpClient(OkHttpClient baseClient) {
            this.baseClient = requireNonNull(baseClient, "okHttpClient");
            return this;
        }

        /**
         * Builds the client.
         *
         * @throws IllegalArgumentException naming the field and what it expects, when a value is missing or invalid
         */
        public MeshClient build() {
            if (discovery == null) {
                throw new IllegalArgumentException(
                        "discovery: not set (expected: a ServiceDiscovery, such as StaticDiscovery.of(...))");
            }
            for (String service : serviceSettings.keySet()) {
                ServiceNames.check("service", service);
            }
            return new MeshClient(this, discovery);
        }
    }
}
