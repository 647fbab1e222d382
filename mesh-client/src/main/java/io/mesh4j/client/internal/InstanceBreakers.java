package io.mesh4j.client.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.AttemptOutcome;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Resilience4j circuit breaker per instance of one service. Every attempt's outcome feeds its instance's breaker;
 * while a breaker is open its instance is reported unhealthy, so the balancer stops picking it, and the other
 * instances take the traffic. An open instance is not picked, so nothing would ask its breaker whether the wait is
 * over: a sweep on the client's scheduler asks every second, which moves it to half-open, and the instance is picked
 * again for trial calls that close or reopen the breaker.
 *
 * <p>Thread-safe.
 */
final class InstanceBreakers implements AutoCloseable {

    private static final long SWEEP_MILLIS = 1_000;

    private final String service;
    private final CircuitBreakerConfig config;
    private final InstanceHealth health;
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private volatile ScheduledFuture<?> sweep;

    InstanceBreakers(String service, CircuitBreakerConfig config, InstanceHealth health) {
        this.service = service;
        this.config = config;
        this.health = health;
    }

    void start(ScheduledExecutorService scheduler) {
        sweep = scheduler.scheduleWithFixedDelay(this::sweepOpen, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Records an attempt's outcome in its instance's breaker; cancelled or abandoned attempts are not recorded. */
    void record(ServiceInstance instance, AttemptOutcome outcome, long latencyNanos) {
        if (!outcome.completed()) {
            return;
        }
        CircuitBreaker breaker = breakers.computeIfAbsent(instance.id(), this::newBreaker);
        if (outcome.isFailure()) {
            breaker.onError(latencyNanos, TimeUnit.NANOSECONDS, new AttemptFailure(outcome));
        } else {
            breaker.onSuccess(latencyNanos, TimeUnit.NANOSECONDS);
        }
    }

    private CircuitBreaker newBreaker(String instanceId) {
        CircuitBreaker breaker = CircuitBreaker.of(service + '/' + instanceId, config);
        breaker.getEventPublisher().onStateTransition(event -> health.report(instanceId,
                InstanceHealth.Source.CIRCUIT_BREAKER,
                event.getStateTransition().getToState() != CircuitBreaker.State.OPEN));
        return breaker;
    }

    private void sweepOpen() {
        for (CircuitBreaker breaker : breakers.values()) {
            if (breaker.getState() == CircuitBreaker.State.OPEN && breaker.tryAcquirePermission()) {
                breaker.releasePermission();
            }
        }
    }

    /** Drops the breakers of instances that left the set. */
    void retain(Set<String> instanceIds) {
        breakers.keySet().retainAll(instanceIds);
    }

    @Override
    public void close() {
        ScheduledFuture<?> current = sweep;
        if (current != null) {
            current.cancel(false);
        }
    }

    /** What a breaker records for a failed attempt. */
    private static final class AttemptFailure extends IOException {
        private static final long serialVersionUID = 1L;

        AttemptFailure(AttemptOutcome outcome) {
            super(outcome.tag(), null);
        }
    }
}
