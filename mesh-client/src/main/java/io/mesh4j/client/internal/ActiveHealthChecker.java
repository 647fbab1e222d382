package io.mesh4j.client.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.ActiveHealthCheck;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link ActiveHealthCheck}s to every instance of one service and reports when an instance turns unhealthy or
 * healthy again.
 *
 * <p>Thread-safe. A round of checks starts on the client's scheduler; each check is an asynchronous OkHttp call on
 * the plain client (without the mesh interceptor), and its result is counted under the instance's own monitor.
 */
final class ActiveHealthChecker implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(ActiveHealthChecker.class);

    private final String service;
    private final ActiveHealthCheck config;
    private final OkHttpClient client;
    private final InstanceHealth instanceHealth;
    private final Map<String, CheckStreak> health = new ConcurrentHashMap<>();
    private volatile List<ServiceInstance> instances = List.of();
    private volatile ScheduledFuture<?> schedule;

    ActiveHealthChecker(String service, ActiveHealthCheck config, OkHttpClient baseClient,
            InstanceHealth instanceHealth) {
        this.service = service;
        this.config = config;
        this.client = baseClient.newBuilder().callTimeout(config.timeout()).build();
        this.instanceHealth = instanceHealth;
    }

    void start(ScheduledExecutorService scheduler) {
        long interval = config.interval().toNanos();
        schedule = scheduler.scheduleWithFixedDelay(this::checkAll, 0, interval, TimeUnit.NANOSECONDS);
    }

    void onInstances(List<ServiceInstance> current) {
        instances = current;
        Set<String> ids = new HashSet<>();
        current.forEach(instance -> ids.add(instance.id()));
        health.keySet().retainAll(ids);
    }

    /** Sends one check to every current instance. */
    void checkAll() {
        for (ServiceInstance instance : instances) {
            HttpUrl url = new HttpUrl.Builder()
                    .scheme(instance.secure() ? "https" : "http")
                    .host(instance.host())
                    .port(instance.port())
                    .build()
                    .resolve(config.path());
            if (url == null) {
                continue;
            }
            client.newCall(new Request.Builder().url(url).build()).enqueue(new Callback() {
                @Override
                public void onResponse(Call call, Response response) {
                    try (response) {
                        record(instance, response.isSuccessful());
                    }
                }

                @Override
                public void onFailure(Call call, IOException e) {
                    record(instance, false);
                }
            });
        }
    }

    private void record(ServiceInstance instance, boolean passed) {
        CheckStreak state = health.computeIfAbsent(instance.id(), id -> new CheckStreak());
        Boolean changedTo;
        synchronized (state) {
            changedTo = state.record(passed, config);
        }
        if (changedTo != null && instances.contains(instance)) {
            logger.info("Instance {} of service '{}' is {} by active health checks", instance.id(), service,
                    changedTo ? "healthy again" : "unhealthy");
            instanceHealth.report(instance.id(), InstanceHealth.Source.ACTIVE_CHECK, changedTo);
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> current = schedule;
        if (current != null) {
            current.cancel(false);
        }
    }

    /** Consecutive results of one instance. Guarded by its own monitor. */
    private static final class CheckStreak {
        private boolean healthy = true;
        private int streak;

        /** Returns the new state when it changed, else {@code null}. */
        Boolean record(boolean passed, ActiveHealthCheck config) {
            if (passed == healthy) {
                streak = 0;
                return null;
            }
            streak++;
            if (streak >= (healthy ? config.unhealthyThreshold() : config.healthyThreshold())) {
                healthy = passed;
                streak = 0;
                return healthy;
            }
            return null;
        }
    }
}
