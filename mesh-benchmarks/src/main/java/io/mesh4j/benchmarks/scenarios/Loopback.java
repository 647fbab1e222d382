package io.mesh4j.benchmarks.scenarios;

import io.mesh4j.api.ServiceInstance;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/** What the scenarios' backends share: the threads that serve them and the scheduler that delays their answers. */
record Loopback(ExecutorService serverThreads, ScheduledExecutorService delays) {

    /** Starts a backend answering {@code answer}. */
    Backend start(String id, Backend.Answer answer) throws IOException {
        return Backend.start(id, answer, serverThreads, delays);
    }

    /** Starts {@code count} backends {@code <prefix>0, <prefix>1, ...}, all answering {@code answer}. */
    List<Backend> start(String prefix, int count, Backend.Answer answer) throws IOException {
        List<Backend> backends = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            backends.add(start(prefix + i, answer));
        }
        return backends;
    }

    /** The backends as instances of the service {@code orders}, each with the backend's id. */
    static List<ServiceInstance> orders(List<Backend> backends) {
        return backends.stream().map(backend -> ServiceInstance.builder("orders", "127.0.0.1", backend.port())
                .id(backend.id()).build()).toList();
    }
}
