package io.mesh4j.discovery.consul;

import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One endpoint of Consul's agent watched with blocking queries ({@code ?index=<n>&wait=<t>}), on the JDK's
 * non-blocking client so a query that waits minutes holds no thread. The loop follows HashiCorp's advice: an index
 * that goes backwards starts over from 0, an index below 1 counts as 1, failures back off exponentially with jitter,
 * and queries start at most once per {@code minRequestInterval}, so an agent that answers without blocking cannot
 * make it spin. The ACL token travels in the {@code X-Consul-Token} header only.
 *
 * <p>Thread-safe: at most one query is in flight, and its completion (on the HTTP client's executor or the
 * scheduler) is the only writer of the loop's state.
 */
final class BlockingQueryLoop {

    /** What the loop's owner does with answers. */
    interface Handler {
        /**
         * Takes an answer with status 200 or 404.
         *
         * @return {@code null} when the answer was usable, else why not (the loop then backs off and asks again with
         *     the index it had)
         */
        @Nullable
        String answered(int status, byte[] body);

        /** Hears that a query failed, and why, before the loop backs off. */
        void failed(String why);
    }

    /** How the loop talks to the agent. */
    static final class Settings {
        final String agentUrl;
        @Nullable
        final String aclToken;
        final Duration wait;
        final Duration minRequestInterval;
        final Duration errorBackoffBase;
        final Duration errorBackoffMax;
        final Ticker ticker;

        Settings(String agentUrl, @Nullable String aclToken, Duration wait, Duration minRequestInterval,
                Duration errorBackoffBase, Duration errorBackoffMax, Ticker ticker) {
            this.agentUrl = agentUrl.endsWith("/") ? agentUrl.substring(0, agentUrl.length() - 1) : agentUrl;
            this.aclToken = aclToken;
            this.wait = wait;
            this.minRequestInterval = minRequestInterval;
            this.errorBackoffBase = errorBackoffBase;
            this.errorBackoffMax = errorBackoffMax;
            this.ticker = ticker;
        }
    }

    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final Settings settings;
    private final String pathAndQuery;
    private final Handler handler;
    private volatile boolean stopped;
    private long index;
    private long lastQueryNanos;
    private int consecutiveErrors;

    /**
     * @param pathAndQuery the endpoint, such as {@code /v1/kv/mesh/policy}, with any query parameters of its own
     *     ({@code ?dc=eu}) already encoded
     */
    BlockingQueryLoop(HttpClient http, ScheduledExecutorService scheduler, Settings settings, String pathAndQuery,
            Handler handler) {
        this.http = http;
        this.scheduler = scheduler;
        this.settings = settings;
        this.pathAndQuery = pathAndQuery;
        this.handler = handler;
    }

    void start() {
        poll();
    }

    /** Sends no further query; one in flight is ignored when it ends. */
    void stop() {
        stopped = true;
    }

    private void poll() {
        if (stopped) {
            return;
        }
        lastQueryNanos = settings.ticker.read();
        StringBuilder uri = new StringBuilder(settings.agentUrl).append(pathAndQuery);
        if (index > 0) {
            uri.append(pathAndQuery.indexOf('?') < 0 ? '?' : '&').append("index=").append(index).append("&wait=")
                    .append(settings.wait.toSeconds()).append('s');
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri.toString()))
                .timeout(settings.wait.multipliedBy(17).dividedBy(16).plusSeconds(10))
                .header("Accept", "application/json")
                .GET();
        if (settings.aclToken != null) {
            request.header("X-Consul-Token", settings.aclToken);
        }
        try {
            http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                    .whenComplete((response, failure) -> {
                        if (failure != null) {
                            failed(failure instanceof CompletionException && failure.getCause() != null
                                    ? failure.getCause().toString() : failure.toString());
                        } else {
                            answered(response);
                        }
                    });
        } catch (RuntimeException e) {
            failed(e.toString());
        }
    }

    private void answered(HttpResponse<byte[]> response) {
        if (stopped) {
            return;
        }
        int status = response.statusCode();
        if (status != 200 && status != 404) {
            failed("HTTP " + status + " from Consul");
            return;
        }
        String unusable = handler.answered(status, response.body());
        if (unusable != null) {
            failed(unusable);
            return;
        }
        Long header = response.headers().firstValue("X-Consul-Index").map(HealthQueries::parseIndex).orElse(null);
        long returned = header == null ? 0 : header;
        index = returned < index ? 0 : Math.max(1, returned);
        consecutiveErrors = 0;
        long left = settings.minRequestInterval.toNanos() - (settings.ticker.read() - lastQueryNanos);
        if (left <= 0) {
            poll();
        } else {
            schedule(left);
        }
    }

    private void failed(String why) {
        if (stopped) {
            return;
        }
        consecutiveErrors++;
        handler.failed(why);
        schedule(ErrorBackoff.delayNanos(settings.errorBackoffBase, settings.errorBackoffMax, consecutiveErrors));
    }

    private void schedule(long delayNanos) {
        try {
            scheduler.schedule(this::poll, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            stopped = true;
        }
    }
}
