package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.RequestContext;
import io.mesh4j.routing.Mirror;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the shadow copies of mirrored routes ({@link Mirror}): one asynchronous call per copy, never retried, its
 * answer discarded, at most {@code maxInFlight} copies in flight for the whole client (a copy beyond that is dropped,
 * not queued). Copies run on a dispatcher of their own, with its own daemon threads, so a shadow that hangs never
 * takes the slots of the caller's dispatcher (OkHttp limits calls per host, and a shadow may share a host with real
 * traffic); otherwise they use the settings and connection pool of the client they are sent through. A copy goes to an instance of the mirror's subset, or of the mirror's service, with
 * {@code Host: <logical host>-shadow}; it gives its instance no balancer feedback, so shadows never steer real
 * traffic. Copies are counted by result ({@code answered}, {@code failed}, {@code dropped}).
 *
 * <p>Thread-safe. {@link #copy} runs on the calling thread and only picks and enqueues; a copy to a service the
 * client has not met yet is dropped while the service is opened on the client's dispatcher thread.
 */
final class Mirroring {

    private static final Logger log = LoggerFactory.getLogger(Mirroring.class);

    private final ServiceRegistry registry;
    private final Telemetry telemetry;
    private final Semaphore inFlight;
    private final ThreadPoolExecutor threads;
    private final Dispatcher dispatcher;
    /** The client that sends the copies of each client calls are made through; few, and weakly held. */
    private final Map<OkHttpClient, OkHttpClient> senders = Collections.synchronizedMap(new WeakHashMap<>());

    Mirroring(ServiceRegistry registry, Telemetry telemetry, int maxInFlight) {
        this.registry = registry;
        this.telemetry = telemetry;
        this.inFlight = new Semaphore(maxInFlight);
        this.threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "mesh4j-mirror");
                    thread.setDaemon(true);
                    return thread;
                });
        this.dispatcher = new Dispatcher(threads);
        dispatcher.setMaxRequests(maxInFlight);
        dispatcher.setMaxRequestsPerHost(maxInFlight);
    }

    /** Sends a copy of {@code run}'s request through {@code client}, when its route mirrors and the draw says so. */
    void copy(CallRun run, OkHttpClient client) {
        ServiceRoute route = run.route();
        Mirror mirror = route.mirror();
        if (mirror == null || !mirror.copies(ThreadLocalRandom.current().nextLong())) {
            return;
        }
        Request request = run.request();
        RequestBody body = request.body();
        if (body != null && body.isOneShot()) {
            return;
        }
        String service = mirror.service() != null ? mirror.service() : run.service();
        if (!inFlight.tryAcquire()) {
            telemetry.mirrorCopy(service, "dropped");
            return;
        }
        boolean sent = false;
        try {
            sent = send(run, route, mirror, request, client);
        } catch (RuntimeException e) {
            log.warn("A mirror copy of a call to service '{}' failed to start", run.service(), e);
        } finally {
            if (!sent) {
                inFlight.release();
                telemetry.mirrorCopy(service, "dropped");
            }
        }
    }

    private boolean send(CallRun run, ServiceRoute route, Mirror mirror, Request request, OkHttpClient client) {
        ServiceState target;
        Endpoint endpoint;
        if (mirror.subset() != null) {
            target = run.serviceState();
            SubsetTarget subset = route.mirrorTarget();
            endpoint = subset == null ? null : subset.picker().pick(run);
        } else {
            target = registry.opened(mirror.service());
            if (target == null) {
                openLater(mirror.service(), client);
                return false;
            }
            endpoint = target.picker().pick(RequestContext.of(mirror.service(), request.method(),
                    request.url().encodedPath(), null, 1, List.of()));
        }
        if (endpoint == null) {
            return false;
        }
        ServiceInstance instance = endpoint.instance();
        HttpUrl url = target.urlRewriter().rewrite(request.url(), instance);
        String host = request.url().host() + "-shadow";
        Request copy = request.newBuilder().url(url)
                .header("Host", request.url().port() == HttpUrl.defaultPort(request.url().scheme()) ? host
                        : host + ':' + request.url().port())
                .tag(Mirroring.class, this)
                .build();
        Call call = senders.computeIfAbsent(target.attemptClient(client),
                base -> base.newBuilder().dispatcher(dispatcher).build()).newCall(copy);
        long timeout = route.timeouts().overallTimeout().toNanos();
        if (timeout > 0) {
            call.timeout().timeout(timeout, TimeUnit.NANOSECONDS);
        }
        String service = target.name();
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call failed, IOException e) {
                inFlight.release();
                telemetry.mirrorCopy(service, "failed");
            }

            @Override
            public void onResponse(Call answered, Response response) {
                response.close();
                inFlight.release();
                telemetry.mirrorCopy(service, "answered");
            }
        });
        return true;
    }

    /** Opens {@code service} on the client's dispatcher thread, so that its later copies find it. */
    private void openLater(String service, OkHttpClient client) {
        try {
            client.dispatcher().executorService().execute(() -> {
                try {
                    registry.find(service);
                } catch (IOException | RuntimeException e) {
                    log.debug("Cannot open mirror service '{}': {}", service, e.toString());
                }
            });
        } catch (RejectedExecutionException shutDown) {
            log.debug("Cannot open mirror service '{}': the dispatcher is shut down", service);
        }
    }

    /** Lets the copy threads end once idle; copies in flight finish. */
    void close() {
        threads.setKeepAliveTime(1, TimeUnit.MILLISECONDS);
    }

    /** Whether {@code request} is a mirror copy, which the mesh interceptor lets pass untouched. */
    static boolean isCopy(Request request) {
        return request.tag(Mirroring.class) != null;
    }
}
