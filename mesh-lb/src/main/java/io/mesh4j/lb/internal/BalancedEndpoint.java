package io.mesh4j.lb.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One instance as a {@link MeshLoadBalancer} sees it: in-flight count, peak-EWMA latency estimate, consecutive
 * failures, and ejection and slow-start state. It outlives snapshots: the balancer keeps the same endpoint for an
 * instance id across discovery updates.
 *
 * <p>Thread-safe. The feedback methods run on request threads, lock-free. The latency estimate is updated with a
 * racy read-modify-write of two volatile fields: two attempts ending at the same instant may lose one sample, which
 * an estimate tolerates, in exchange for no lock and no allocation. Ejection and ramp fields are written only under
 * the balancer's monitor.
 */
final class BalancedEndpoint implements Endpoint {

    static final long NOT_RAMPING = Long.MIN_VALUE;

    private final MeshLoadBalancer owner;
    private volatile ServiceInstance instance;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicInteger intervalAttempts = new AtomicInteger();
    private final AtomicInteger intervalSuccesses = new AtomicInteger();

    private volatile double costNanos;
    private volatile long costStamp;

    volatile boolean activelyHealthy = true;
    volatile boolean ejected;
    volatile long ejectedUntil;
    int ejections;
    long returnedAt;
    volatile long rampStart = NOT_RAMPING;

    BalancedEndpoint(MeshLoadBalancer owner, ServiceInstance instance, long now) {
        this.owner = owner;
        this.instance = instance;
        this.costStamp = now;
    }

    @Override
    public ServiceInstance instance() {
        return instance;
    }

    void instance(ServiceInstance instance) {
        this.instance = instance;
    }

    /** Attempts in flight; counted only by balancers that weigh them (least request, peak-EWMA), else 0. */
    int inFlight() {
        return inFlight.get();
    }

    @Override
    public void onAttemptStart() {
        if (owner.tracksInFlight()) {
            inFlight.incrementAndGet();
        }
    }

    @Override
    public void onAttemptEnd(long endNanos, long latencyNanos, AttemptOutcome outcome) {
        if (owner.tracksInFlight()) {
            inFlight.decrementAndGet();
        }
        if (!outcome.completed()) {
            if (outcome == AttemptOutcome.ABANDONED && owner.tracksLatency()) {
                observe(latencyNanos, endNanos);
                owner.observedTime(endNanos);
            }
            return;
        }
        boolean failure = outcome.isFailure();
        if (owner.checksSuccessRate()) {
            intervalAttempts.incrementAndGet();
            if (!failure) {
                intervalSuccesses.incrementAndGet();
            }
            owner.maybeCheckSuccessRates(endNanos);
        }
        if (owner.tracksLatency()) {
            observe(failure ? Math.max(latencyNanos, owner.failurePenaltyNanos()) : latencyNanos, endNanos);
            owner.observedTime(endNanos);
        }
        if (failure) {
            if (owner.ejects() && consecutiveFailures.incrementAndGet() >= owner.ejectionThreshold()) {
                owner.onConsecutiveFailures(this);
            }
        } else if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    void resetFailures() {
        consecutiveFailures.set(0);
    }

    /** Attempts in the current success-rate interval; read and reset by the balancer. */
    int takeIntervalAttempts() {
        return intervalAttempts.getAndSet(0);
    }

    /** Successes in the current success-rate interval; read and reset by the balancer. */
    int takeIntervalSuccesses() {
        return intervalSuccesses.getAndSet(0);
    }

    /**
     * Folds one latency sample into the estimate. The old estimate first decays by {@code w = exp(-elapsed / tau)};
     * a sample above it replaces it (the peak), a lower one is averaged in as {@code decayed + sample * (1 - w)}.
     */
    void observe(double sampleNanos, long now) {
        double w = decay(now - costStamp);
        double decayed = costNanos * w;
        costNanos = sampleNanos > decayed ? sampleNanos : decayed + sampleNanos * (1.0 - w);
        costStamp = now;
    }

    /** The estimate as of {@code now}: it decays towards zero while no sample arrives, so idle endpoints get tried. */
    double cost(long now) {
        return costNanos * decay(now - costStamp);
    }

    /**
     * {@code exp(-elapsed / tau)}. Between busy samples {@code elapsed / tau} is tiny, and there the second-order
     * Taylor polynomial is exact to 1e-7 and several times cheaper than {@link Math#exp}.
     */
    private double decay(long elapsedNanos) {
        if (elapsedNanos <= 0) {
            return 1.0;
        }
        double x = elapsedNanos / owner.decayNanos();
        return x < 0.01 ? 1.0 - x + 0.5 * x * x : Math.exp(-x);
    }

    /**
     * The peak-EWMA load: estimate times (in flight + 1). An endpoint with no estimate yet but requests in flight
     * counts as the failure penalty, so a fresh endpoint is not flooded before its first answer.
     */
    double load(long now) {
        int outstanding = inFlight.get();
        double cost = cost(now);
        if (cost == 0.0 && outstanding != 0) {
            return owner.failurePenaltyNanos() + outstanding;
        }
        return cost * (outstanding + 1);
    }

    /** The share of its traffic a ramping endpoint takes at {@code now}, from the minimum to 1. */
    double rampFactor(long now, long windowNanos, double minFactor) {
        long start = rampStart;
        if (start == NOT_RAMPING) {
            return 1.0;
        }
        double progress = (double) (now - start) / windowNanos;
        return progress >= 1.0 ? 1.0 : Math.max(minFactor, progress);
    }

    @Override
    public String toString() {
        return instance + (ejected ? " (ejected)" : "");
    }
}
