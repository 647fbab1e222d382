package io.mesh4j.discovery.consul;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.DaemonThreads;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.kiwiproject.consul.Consul;

/** Builds the Consul API client the same way for discovery and registration. */
final class ConsulClients {

    private ConsulClients() {
    }

    /**
     * A client for {@code agentUrl} whose ACL token, if any, travels in the {@code X-Consul-Token} header (never in
     * the URL), with the given read timeout, running its calls on {@code threads}.
     */
    static Consul create(String agentUrl, @Nullable String aclToken, Duration readTimeout, ExecutorService threads) {
        Consul.Builder builder = Consul.builder()
                .withUrl(agentUrl)
                .withPing(false)
                .withReadTimeoutMillis(readTimeout.toMillis())
                .withExecutorService(threads);
        if (aclToken != null) {
            builder.withHeaders(Map.of("X-Consul-Token", aclToken));
        }
        return builder.build();
    }

    /** A scheduler on one daemon thread that forgets cancelled tasks at once. */
    static ScheduledThreadPoolExecutor scheduler(String name) {
        return DaemonThreads.scheduler(name);
    }

    /** A fixed pool of {@code count} daemon threads. */
    static ExecutorService fixedDaemonThreads(String name, int count) {
        return java.util.concurrent.Executors.newFixedThreadPool(count, runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** An unbounded pool of daemon threads, so that a blocking query in flight never keeps the JVM alive. */
    static ExecutorService daemonThreads(String name) {
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, name);
                    thread.setDaemon(true);
                    return thread;
                });
    }
}
