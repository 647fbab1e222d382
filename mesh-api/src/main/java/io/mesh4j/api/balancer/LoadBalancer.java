package io.mesh4j.api.balancer;

import io.mesh4j.api.ServiceInstance;
import java.util.List;

/**
 * Balances the calls to one service. The client creates one per service through a {@link LoadBalancerFactory},
 * feeds it every instance set discovery reports, and reads {@link #picker()} once per call.
 *
 * <p>Threading: {@link #updateInstances} is called off the request path, never concurrently with itself for one
 * balancer, and must publish the new picker atomically (a volatile write or an {@code AtomicReference}) before it
 * returns, so that the very next call uses it. {@link #picker()} is called by every request thread and must be a
 * plain read.
 */
public interface LoadBalancer extends AutoCloseable {

    /** Replaces the instance set and publishes a new picker built from it. The list is immutable. */
    void updateInstances(List<ServiceInstance> instances);

    /** The current snapshot. Never {@code null}: before the first update it picks nothing. */
    Picker picker();

    /**
     * Marks the instance with {@code instanceId} as failing ({@code healthy == false}) or passing active health
     * checks run by the client. A balancer should stop picking an instance marked unhealthy (its panic threshold
     * permitting) until it is marked healthy again; new instances start healthy. Called off the request path.
     * Ids not in the current instance set are ignored. The default ignores the call: a balancer that does not
     * override it does not take part in active health checking.
     */
    default void updateHealth(String instanceId, boolean healthy) {
    }

    /**
     * Whether the balancer weighs the latencies its endpoints report. When a hedged call is answered, the client lets
     * its other attempts run on until they answer, so that such a balancer hears how long a slow instance really
     * takes rather than the time the attempt was cut off at; for any other balancer it cancels them, since running on
     * would only hold their connections. One exception: a first attempt that a synchronous call sends on its calling
     * thread is cut short whatever the balancer, and reported as {@link AttemptOutcome#ABANDONED} after the time it
     * waited, unless the picker asked to measure it ({@link RequestContext#measureToEnd()}). Default: {@code false}.
     */
    default boolean weighsLatency() {
        return false;
    }

    /** Current counts for gauges; cheap enough to read on every metrics scrape. Default: unknown. */
    default BalancerStats stats() {
        return BalancerStats.unknown();
    }

    /** Stops whatever the balancer runs in the background. Idempotent. */
    @Override
    default void close() {
    }
}
