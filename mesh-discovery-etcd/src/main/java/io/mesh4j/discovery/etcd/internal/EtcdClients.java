package io.mesh4j.discovery.etcd.internal;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.mesh4j.api.annotation.Nullable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** Creates the jetcd clients and threads of the etcd module. */
public final class EtcdClients {

    private EtcdClients() {
    }

    /**
     * A client of {@code endpoints}, authenticating as {@code user} when given. The password goes only to jetcd,
     * never into a message or a log line.
     */
    public static Client create(List<String> endpoints, @Nullable String user, @Nullable String password) {
        ClientBuilder builder = Client.builder().endpoints(endpoints.toArray(String[]::new))
                .retryDelay(200).retryMaxDelay(2_000);
        if (user != null) {
            builder.user(bytes(user)).password(bytes(password == null ? "" : password));
        }
        return builder.build();
    }

    public static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    /** One daemon scheduler thread named {@code name}. */
    public static ScheduledExecutorService scheduler(String name) {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }
}
