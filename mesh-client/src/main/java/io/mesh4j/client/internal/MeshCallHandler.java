package io.mesh4j.client.internal;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.DiscoveryUnavailableException;
import io.mesh4j.api.MeshException;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.UnknownServiceException;
import io.mesh4j.client.UnknownHostPolicy;
import java.io.IOException;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's entry for every call of one client, in both forms. As the {@link io.mesh4j.client.MeshInterceptor}: it
 * resolves the host and runs a mesh service's call as a {@link CallRun}, one attempt after another on the
 * interceptor's chain (no hedging there: the chain carries one request at a time). As the factory of
 * {@link MeshCall}s: the mesh runs the call and each attempt is a call of its own through the client, tagged with its
 * {@link Attempt}; this interceptor, met again inside that client, lets such an attempt pass with its timeouts.
 *
 * <p>Nothing below the mesh resends an attempt: every attempt runs on the chain with OkHttp's
 * {@code retryOnConnectionFailure} off (which also stops OkHttp resending a 408). OkHttp's resend of a 503 with
 * {@code Retry-After: 0} can only be stopped by a network interceptor, which the clients the mesh builds or derives
 * carry ({@link ResendGuard}); on any other client the first such resend is logged as a warning.
 *
 * <p>Every time is a reading of the client's one {@link Ticker}.
 *
 * <p>Thread-safe and lock-free: it holds only immutable configuration and the registry.
 */
public final class MeshCallHandler {

    private static final Logger log = LoggerFactory.getLogger(MeshCallHandler.class);

    private final ServiceRegistry registry;
    private final UnknownHostPolicy unknownHostPolicy;
    private final Telemetry telemetry;
    private final Ticker ticker;
    private final CallRun.Waiter waiter;
    private final AtomicBoolean resendBelowReported = new AtomicBoolean();
    private final AtomicBoolean hedgingSkippedReported = new AtomicBoolean();
    private final ChainSender chainSender = new ChainSender(false);
    private final ChainSender ownClientSender = new ChainSender(true);
    private final IdleConnectionFlush idleConnections;
    private final Mirroring mirroring;
    private final Supplier<OkHttpClient> meshClient;
    private final RequestLimits limits;

    /**
     * @param maxMirrorsInFlight the bound on mirror copies in flight for the client
     * @param limits the most headers and header bytes a call may carry
     * @param meshClient the mesh's own client ({@code MeshClient.okHttpClient()}): it sends the mirror copies of calls
     *     made through the interceptor (calls the mesh runs send theirs through their own attempt client), and runs
     *     the calls to services with TLS settings of their own that reach its interceptor
     */
    public MeshCallHandler(ServiceRegistry registry, UnknownHostPolicy unknownHostPolicy, Telemetry telemetry,
            Ticker ticker, int maxMirrorsInFlight, Supplier<OkHttpClient> meshClient, RequestLimits limits) {
        this(registry, unknownHostPolicy, telemetry, ticker, CallRun.Waiter.UNTIL_CANCELED, maxMirrorsInFlight,
                meshClient, limits);
    }

    MeshCallHandler(ServiceRegistry registry, UnknownHostPolicy unknownHostPolicy, Telemetry telemetry,
            Ticker ticker, CallRun.Waiter waiter, int maxMirrorsInFlight, Supplier<OkHttpClient> meshClient,
            RequestLimits limits) {
        this.limits = requireNonNull(limits, "limits");
        this.mirroring = new Mirroring(registry, telemetry, maxMirrorsInFlight);
        this.meshClient = requireNonNull(meshClient, "meshClient");
        this.registry = requireNonNull(registry, "registry");
        this.unknownHostPolicy = requireNonNull(unknownHostPolicy, "unknownHostPolicy");
        this.telemetry = requireNonNull(telemetry, "telemetry");
        this.ticker = requireNonNull(ticker, "ticker");
        this.waiter = requireNonNull(waiter, "waiter");
        this.idleConnections = new IdleConnectionFlush(ticker);
    }

    /**
     * Runs one call through the mesh, or passes it on when its host is no mesh service. An attempt of a call the
     * mesh's call factory runs (tagged with its {@link Attempt}) passes through with the attempt's timeouts.
     *
     * @throws io.mesh4j.api.ClientClosedException for a mesh service after the client was closed
     */
    public Response handle(Interceptor.Chain original) throws IOException {
        return handle(original, false);
    }

    /**
     * Runs one call as {@link #handle(Interceptor.Chain)} does.
     *
     * @param onMeshClient whether the chain belongs to the mesh's own client ({@code MeshClient.okHttpClient()}),
     *     which can run a call to a service with TLS settings of its own as a mesh call; on any other client such a
     *     call fails, since an interceptor cannot choose the TLS of its own call
     */
    public Response handle(Interceptor.Chain original, boolean onMeshClient) throws IOException {
        Request request = original.request();
        Attempt attempt = request.tag(Attempt.class);
        if (attempt != null) {
            if (attempt.isQueued()) {
                attempt.running(ticker.read());
            }
            return attempt.timed(original).proceed(request);
        }
        if (Mirroring.isCopy(request)) {
            return original.proceed(request);
        }
        ServiceState service = registry.find(request.url().host());
        if (service == null) {
            return passThrough(original, request, request.url().host());
        }
        if (service.hasOwnTls()) {
            if (!onMeshClient) {
                throw new MeshException(service.name(), "Service '" + service.name() + "' has TLS settings of its"
                        + " own, which the mesh applies only to calls it runs: call it with MeshClient.newCall,"
                        + " MeshClient.callFactory(client) or MeshClient.okHttpClient(), not through the mesh"
                        + " interceptor on another client");
            }
            return newCall(meshClient.get(), request).execute();
        }
        Interceptor.Chain chain = original.getRetryOnConnectionFailure()
                ? original.withRetryOnConnectionFailure(false)
                : original;
        CallRun run = new CallRun(service, service.routing(), request, telemetry, ticker, 0, false);
        Response fallback = run.admit(limits);
        if (fallback != null) {
            return fallback;
        }
        reportHedgingSkipped(run, request);
        mirroring.copy(run, meshClient.get());
        return run.runSequentially(onMeshClient ? ownClientSender : chainSender, chain);
    }

    /** Flushes connection pools after attempts that found their instance gone. */
    IdleConnectionFlush idleConnections() {
        return idleConnections;
    }

    /**
     * Sends each attempt on the interceptor's chain. On the mesh's own client, whose connection pool the mesh knows,
     * an attempt that failed before its answer also flushes the pool's idle connections; an interceptor on another
     * client cannot reach that client's pool.
     */
    private final class ChainSender implements CallRun.AttemptSender<Interceptor.Chain> {
        private final boolean onMeshClient;

        ChainSender(boolean onMeshClient) {
            this.onMeshClient = onMeshClient;
        }

        @Override
        public Attempt send(Interceptor.Chain chain, Attempt attempt, CallRun run) {
            BodyEndListener.watchOn(chain.call(), attempt);
            Response response;
            try {
                response = attempt.timed(chain).proceed(attempt.request());
            } catch (IOException | RuntimeException | Error e) {
                Attempt failed = run.ended(attempt, null, e, chain.call());
                if (onMeshClient) {
                    idleConnections.afterFailure(meshClient.get().connectionPool(), failed.outcome(), e);
                }
                return failed;
            }
            reportResendBelow(response, attempt);
            return run.ended(attempt, response, null, chain.call());
        }

        /** Waits on the chain's call, which a cancel of that call ends at once ({@link CancelWait}). */
        @Override
        public void sleep(Interceptor.Chain chain, long nanos) throws InterruptedException {
            waiter.await(chain.call(), nanos);
        }

        @Override
        public boolean canceled(Interceptor.Chain chain) {
            return chain.call().isCanceled();
        }

        @Override
        public boolean tagsAttempts() {
            return false;
        }
    }

    /**
     * Warns, once per client, that a call to a service with hedging went through the interceptor, which sends one
     * attempt at a time: hedging needs the mesh's call factory ({@code MeshClient.newCall}).
     */
    private void reportHedgingSkipped(CallRun run, Request request) {
        if (hedgingSkippedReported.get() || !run.hedgingPolicy().config().enabled()) {
            return;
        }
        if (hedgingSkippedReported.compareAndSet(false, true)) {
            log.warn("Service '{}' has hedging configured, but its call ({} {}) went through the mesh interceptor,"
                    + " which sends one attempt at a time and does not hedge. Make calls with MeshClient.newCall"
                    + " or MeshClient.callFactory(client) to hedge. Reported once per MeshClient.",
                    run.service(), request.method(), request.url().encodedPath());
        }
    }

    /**
     * Handles a host discovery does not know: fails it, or passes it on, as the client is configured. When discovery
     * could not say because its registry did not answer, a failure that would only mislead (the host does not
     * resolve, or is unknown) becomes a {@link DiscoveryUnavailableException} naming discovery's own failure.
     */
    private Response passThrough(Interceptor.Chain chain, Request request, String host) throws IOException {
        if (unknownHostPolicy == UnknownHostPolicy.FAIL) {
            throw unknownService(host);
        }
        try {
            return chain.proceed(request);
        } catch (UnknownHostException notResolved) {
            throw notResolved(host, notResolved);
        }
    }

    /**
     * The failure of a call to {@code host} that is no mesh service, when such calls fail: why discovery could not
     * say, if its registry did not answer, else that the service is unknown.
     */
    private IOException unknownService(String host) {
        Throwable unavailable = registry.discoveryFailure(host);
        return unavailable != null
                ? new DiscoveryUnavailableException(host, unavailable)
                : new UnknownServiceException(host);
    }

    /**
     * What to throw when a passed-through {@code host} did not resolve: the failure itself, or, when discovery could
     * not say whether {@code host} is a service because its registry did not answer, a
     * {@link DiscoveryUnavailableException} naming discovery's own failure.
     */
    private IOException notResolved(String host, UnknownHostException notResolved) {
        Throwable unavailable = registry.discoveryFailure(host);
        if (unavailable == null) {
            return notResolved;
        }
        DiscoveryUnavailableException failure = new DiscoveryUnavailableException(host, unavailable);
        failure.addSuppressed(notResolved);
        return failure;
    }

    /** A call of {@code client} (which carries this handler's interceptor) that the mesh runs attempt by attempt. */
    public okhttp3.Call newCall(OkHttpClient client, Request request) {
        return new MeshCall(this, client, request);
    }

    RequestLimits limits() {
        return limits;
    }

    Mirroring mirroring() {
        return mirroring;
    }

    /** Lets the threads of mirror copies end once idle. */
    public void close() {
        mirroring.close();
    }

    ServiceRegistry registry() {
        return registry;
    }

    Telemetry telemetry() {
        return telemetry;
    }

    Ticker ticker() {
        return ticker;
    }

    /**
     * Warns, once per client, when OkHttp resent an attempt below the mesh after a 503 with {@code Retry-After: 0}:
     * possible only on a client the mesh did not build, which lacks the {@link ResendGuard}.
     */
    private void reportResendBelow(Response response, Attempt attempt) {
        Response prior = response.priorResponse();
        if (prior != null && prior.code() == 503 && resendBelowReported.compareAndSet(false, true)) {
            log.warn("OkHttp resent a request to service '{}' (instance {}) after a 503 with Retry-After: 0, below"
                    + " the mesh, which neither decided nor counted it. The OkHttp client the mesh interceptor was"
                    + " added to lacks the mesh's network guard: make calls with MeshClient.callFactory(thatClient)"
                    + " (or MeshClient.newCall) instead. Reported once per MeshClient.",
                    attempt.instance().service(), attempt.instance().id());
        }
    }
}
