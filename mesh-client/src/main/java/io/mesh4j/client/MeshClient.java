package io.mesh4j.client;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.ServiceDiscovery;
import io.mesh4j.api.ServiceNames;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.client.internal.ClientResources;
import io.mesh4j.client.internal.MeshCallHandler;
import io.mesh4j.client.internal.ServiceRegistry;
import io.mesh4j.client.internal.ServiceState;
import io.mesh4j.client.internal.Telemetry;
import io.mesh4j.resilience.ServiceGuard;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.slf4j.event.Level;

/**
 * A service mesh inside the caller. Requests to {@code http://<service>/...} through {@link #okHttpClient()} are
 * resolved through {@link ServiceDiscovery}, balanced over the service's instances and sent to the picked one.
 *
 * <pre>{@code
 * StaticDiscovery discovery = StaticDiscovery.of(
 *     ServiceInstance.builder("orders", "10.0.0.7", 8080).build(),
 *     ServiceInstance.builder("orders", "10.0.0.8", 8080).build());
 * try (MeshClient mesh = MeshClient.builder().discovery(discovery).build()) {
 *     Request request = new Request.Builder().url("http://orders/v1/items?q=1").build();
 *     try (Response response = mesh.okHttpClient().newCall(request).execute()) {
 *         System.out.println(response.body().string());
 *     }
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe: share one client. {@link #newBuilder()} derives a client with other settings; it
 * shares the OkHttp connection pool and dispatcher but keeps its own balancers. {@link #close()} stops this client's
 * discovery subscriptions and balancers; the {@link ServiceDiscovery} itself belongs to the caller and stays open.
 */
public final class MeshClient implements AutoCloseable {

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
    private final OkHttpClient baseClient;
    private final boolean ownsBaseClient;
    private final ServiceRegistry registry;
    private final MeshInterceptor interceptor;
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
        this.ownsBaseClient = builder.baseClient == null;
        this.baseClient = builder.baseClient != null ? builder.baseClient : newOwnedClient(openTelemetry);
        Telemetry telemetry = new Telemetry(meterRegistry, meterInstanceTags, openTelemetry, accessLogLevel,
                discovery);
        this.registry = new ServiceRegistry(discovery, this::settingsFor, new ClientResources(baseClient), telemetry);
        this.interceptor = new MeshInterceptor(
                new MeshCallHandler(registry, unknownHostPolicy, telemetry, System::nanoTime,
                        MeshCallHandler.Sleeper.SYSTEM));
        this.okHttpClient = baseClient.newBuilder().addInterceptor(interceptor).build();
    }

    /**
     * The OkHttp client a mesh client creates when given none. With OpenTelemetry on, its dispatcher runs
     * asynchronous calls with the caller's current context, so their spans continue the caller's trace.
     */
    private static OkHttpClient newOwnedClient(@Nullable OpenTelemetry openTelemetry) {
        if (openTelemetry == null) {
            return new OkHttpClient();
        }
        ExecutorService executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "mesh4j-okhttp-dispatcher");
                    thread.setDaemon(true);
                    return thread;
                });
        return new OkHttpClient.Builder().dispatcher(new Dispatcher(Context.taskWrapping(executor))).build();
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** An OkHttp client with the mesh interceptor installed, built from the configured base client. */
    public OkHttpClient okHttpClient() {
        return okHttpClient;
    }

    /** The interceptor, for adding the mesh to an OkHttp client of your own. */
    public MeshInterceptor interceptor() {
        return interceptor;
    }

    /** The discovery this client reads. */
    public ServiceDiscovery discovery() {
        return discovery;
    }

    /**
     * The rate limit, concurrency limit and circuit breaker of {@code service} (for their state and events, such
     * as {@code guard.circuitBreaker().getEventPublisher().onStateTransition(...)}), or {@code null} if discovery
     * does not know the service.
     */
    @Nullable
    public ServiceGuard guard(String service) {
        ServiceState state = registry.find(requireNonNull(service, "service"));
        return state == null ? null : state.guard();
    }

    /** The settings in force for {@code service}: its own if configured, else the defaults. */
    public ServiceSettings settingsFor(String service) {
        return serviceSettings.getOrDefault(requireNonNull(service, "service"), defaultSettings);
    }

    /** A builder that starts from this client's configuration, sharing its base OkHttp client. */
    public Builder newBuilder() {
        Builder builder = new Builder()
                .discovery(discovery)
                .defaultSettings(defaultSettings)
                .unknownHostPolicy(unknownHostPolicy)
                .okHttpClient(baseClient)
                .meterInstanceTags(meterInstanceTags)
                .accessLogLevel(accessLogLevel);
        builder.meterRegistry = meterRegistry;
        builder.openTelemetry = openTelemetry;
        builder.serviceSettings.putAll(serviceSettings);
        return builder;
    }

    /**
     * Stops this client's subscriptions, balancers, health checks, scheduler thread and hedging threads. When the client created its own OkHttp client (none was
     * given to {@link Builder#okHttpClient}), also shuts down its dispatcher and idle connections. Idempotent.
     */
    @Override
    public void close() {
        registry.close();
        if (ownsBaseClient) {
            baseClient.dispatcher().executorService().shutdown();
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

        private Builder() {
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
         * dispatcher and timeouts. Default: a new {@code OkHttpClient()}, owned and closed by the mesh client.
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
