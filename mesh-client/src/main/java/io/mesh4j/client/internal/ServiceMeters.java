package io.mesh4j.client.internal;

import io.mesh4j.api.balancer.AttemptOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of one service, looked up without allocating: Micrometer's builders allocate a builder and a sorted
 * tag list on every registration call, more than the rest of the mesh's work per call. Timers are kept per method
 * in an array indexed by status class and outcome; attempt counters per instance in an array indexed by kind and
 * outcome. A missing meter is registered once (Micrometer returns the same meter for the same id, so a race only
 * registers twice harmlessly).
 *
 * <p>Thread-safe.
 */
final class ServiceMeters {

    private static final String[] STATUS_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
    private static final CallOutcome[] CALL_OUTCOMES = CallOutcome.values();
    private static final AttemptOutcome[] ATTEMPT_OUTCOMES = AttemptOutcome.values();
    private static final AttemptKind[] ATTEMPT_KINDS = AttemptKind.values();

    private final String service;
    private final Map<String, AtomicReferenceArray<Timer>> timersByMethod = new ConcurrentHashMap<>();
    private final Map<String, AtomicReferenceArray<Counter>> countersByInstance = new ConcurrentHashMap<>();

    ServiceMeters(String service) {
        this.service = service;
    }

    Timer callTimer(MeterRegistry registry, String method, int status, CallOutcome outcome) {
        AtomicReferenceArray<Timer> timers = timersByMethod.computeIfAbsent(method,
                m -> new AtomicReferenceArray<>(STATUS_CLASSES.length * CALL_OUTCOMES.length));
        int statusClass = status >= 100 && status < 600 ? status / 100 : 0;
        int index = statusClass * CALL_OUTCOMES.length + outcome.ordinal();
        Timer timer = timers.get(index);
        if (timer == null) {
            timer = Timer.builder(Telemetry.CALLS)
                    .description("Logical calls through the mesh, retries and hedges included")
                    .tag("service", service)
                    .tag("method", method)
                    .tag("status", STATUS_CLASSES[statusClass])
                    .tag("outcome", outcome.tag())
                    .register(registry);
            timers.set(index, timer);
        }
        return timer;
    }

    Counter attemptCounter(MeterRegistry registry, String instance, AttemptKind kind, AttemptOutcome outcome) {
        AtomicReferenceArray<Counter> counters = countersByInstance.computeIfAbsent(instance,
                i -> new AtomicReferenceArray<>(ATTEMPT_KINDS.length * ATTEMPT_OUTCOMES.length));
        int index = kind.ordinal() * ATTEMPT_OUTCOMES.length + outcome.ordinal();
        Counter counter = counters.get(index);
        if (counter == null) {
            counter = Counter.builder(Telemetry.ATTEMPTS)
                    .description("Attempts sent to instances")
                    .tag("service", service)
                    .tag("instance", instance)
                    .tag("kind", kind.tag())
                    .tag("outcome", outcome.tag())
                    .register(registry);
            counters.set(index, counter);
        }
        return counter;
    }
}
