package io.mesh4j.api.internal;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The background threads of Mesh4j's modules: daemons, so they never keep a JVM alive, each named for what it does.
 * Not API: shared by Mesh4j's own modules only.
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** A scheduler on one daemon thread named {@code name} that forgets cancelled tasks at once. */
    public static ScheduledThreadPoolExecutor scheduler(String name) {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }
}
