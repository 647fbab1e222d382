package io.mesh4j.lb.internal;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.AttemptOutcome;
import io.mesh4j.api.balancer.Endpoint;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One instance as a {@link MeshLoadBalancer} sees it: in-flight count, peak-EWMA latency estimate, consecutive
 * failures, and ejection and slow-start state. It outlives snapshots: the balancer keeps the same endpoint for an
 * instance id across discovery updates.
 *
 * <p>Thread-safe. The feedback methods run on request threads, lock-free. The counters written on every attempt
 * are fields of this object accessed through {@link VarHandle}s, not separate atomic objects, so a pick touches one
 * object per candidate. (Padding them onto a cache line of their own measured no faster: two threads
 * mostly contend on the same endpoint's line, which padding cannot help, and the larger objects miss the cache
 * more often.) The latency estimate is updated with a racy read-modify-write of two fields with opaque
 * (coherent, unfenced) access: two attempts ending at the same instant may lose one sample, which an estimate
 * tolerates, in exchange for no lock, no fence and no allocation. Ejection and ramp fields are written only under
 * the balancer's monitor.
 */
final class BalancedEndpoint implements Endpoint {

    /** The least weight a latency sample has in the peak-EWMA estimate: it follows the last ~16 samples at least. */
    static final double MIN_SAMPLE_WEIGHT = 1.0 / 16;

    static final long NOT_RAMPING = Long.MIN_VALUE;
    /** The penalty stamp of an endpoint whose last failure's penalty has faded (or that never failed). */
    private static final long NO_PENALTY = Long.MIN_VALUE;

    private static final VarHandle IN_FLIGHT;
    private static final VarHandle CONSECUTIVE_FAILURES;
    private static final VarHandle INTERVAL_ATTEMPTS;
    private static final VarHandle INTERVAL_SUCCESSES;
    private static final VarHandle COST_NANOS;
    private static final VarHandle COST_STAMP;
    private static final VarHandle PENALTY_STAMP;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            IN_FLIGHT = lookup.findVarHandle(BalancedEndpoint.class, "inFlight", int.class);
            CONSECUTIVE_FAILURES = lookup.findVarHandle(BalancedEndpoint.class, "consecutiveFailures", int.class);
            INTERVAL_ATTEMPTS = lookup.findVarHandle(BalancedEndpoint.class, "intervalAttempts", int.class);
            INTERVAL_SUCCESSES = lookup.findVarHandle(BalancedEndpoint.class, "intervalSuccesses", int.class);
            COST_NANOS = lookup.findVarHandle(BalancedEndpoint.class, "costNanos", double.class);
            COST_STAMP = lookup.findVarHandle(BalancedEndpoint.class, "costStamp", long.class);
            PENALTY_STAMP = lookup.findVarHandle(BalancedEndpoint.class, "penaltyStamp", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MeshLoadBalancer owner;
    private volatile ServiceInstance instance;
    /** Accessed through {@link #IN_FLIGHT} and the other handles only. */
    private int inFlight;
    private int consecutiveFailures;
    private int intervalAttempts;
    private int intervalSuccesses;
    private double costNanos;
    private long costStamp;
    /** When the last failure happened, while its penalty has not faded; else {@link #NO_PENALTY}. */
    private long penaltyStamp;

    volatile boolean activelyHealthy = true;
    volatile boolean ejected;
    volatile long ejectedUntil;
    int ejections;
    long returnedAt;
    volatile long rampStart = NOT_RAMPING;

    BalancedEndpoint(MeshLoadBalancer owner, ServiceInstance instance, long now) {
        this.owner = owner;
        this.instance = instance;
        COST_STAMP.setRelease(this, now);
        PENALTY_STAMP.setRelease(this, NO_PENALTY);
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
        return (int) IN_FLIGHT.getOpaque(this);
    }

    @Override
    public void onAttemptStart() {
        if (owner.tracksInFlight()) {
            IN_FLIGHT.getAndAdd(this, 1);
        }
    }

    @Override
    public void onAttemptEnd(long endNanos, long latencyNanos, AttemptOutcome outcome) {
        if (owner.tracksInFlight()) {
            IN_FLIGHT.getAndAdd(this, -1);
        }
        if (!outcome.completed()) {
            if (outcome == AttemptOutcome.ABANDONED && owner.tracksLatency()) {
                observeAtLeast(latencyNanos, endNanos);
                owner.observedTime(endNanos);
            }
            return;
        }
        boolean failure = outcome.isFailure();
        if (owner.checksSuccessRate()) {
            INTERVAL_ATTEMPTS.getAndAdd(this, 1);
            if (!failure) {
                INTERVAL_SUCCESSES.getAndAdd(this, 1);
            }
            owner.maybeCheckSuccessRates(endNanos);
        }
        if (owner.tracksLatency()) {
            observe(latencyNanos, endNanos);
            if (failure) {
                PENALTY_STAMP.setOpaque(this, endNanos);
            }
            owner.observedTime(endNanos);
        }
        if (failure) {
            if (owner.ejects()
                    && (int) CONSECUTIVE_FAILURES.getAndAdd(this, 1) + 1 >= owner.ejectionThreshold()) {
                owner.onConsecutiveFailures(this);
            }
        } else if ((int) CONSECUTIVE_FAILURES.getOpaque(this) != 0) {
            CONSECUTIVE_FAILURES.setVolatile(this, 0);
        }
    }

    void resetFailures() {
        CONSECUTIVE_FAILURES.setVolatile(this, 0);
    }

    /** Attempts in the current success-rate interval; read and reset by the balancer. */
    int takeIntervalAttempts() {
        return (int) INTERVAL_ATTEMPTS.getAndSet(this, 0);
    }

    /** Successes in the current success-rate interval; read and reset by the balancer. */
    int takeIntervalSuccesses() {
        return (int) INTERVAL_SUCCESSES.getAndSet(this, 0);
    }

    /**
     * Folds one latency sample into the estimate. The old estimate first decays by {@code w = exp(-elapsed / tau)};
     * a sample above it replaces it (the peak), a lower one is averaged in with weight {@code 1 - w}, but at least
     * {@link #MIN_SAMPLE_WEIGHT}. Without that floor a busy endpoint, whose samples arrive far faster than
     * {@code tau}, would come down from a peak only as fast as time passes: a pause of the caller (a GC, a starved
     * CPU) that lifts every endpoint to the same peak would hide which one is slow for several {@code tau}. With it,
     * the estimate of a busy endpoint follows its last few dozen samples; an idle one still decays in time.
     */
    void observe(double sampleNanos, long now) {
        double w = decay(now - (long) COST_STAMP.getOpaque(this));
        double cost = (double) COST_NANOS.getOpaque(this);
        if (sampleNanos > cost * w) {
            COST_NANOS.setOpaque(this, sampleNanos);
        } else {
            double weight = Math.max(1.0 - w, MIN_SAMPLE_WEIGHT);
            COST_NANOS.setOpaque(this, cost * (1.0 - weight) + sampleNanos * weight);
        }
        COST_STAMP.setOpaque(this, now);
    }

    /**
     * Folds in what an abandoned attempt tells: the instance takes at least {@code lowerBoundNanos}, since it had not
     * answered when the attempt was given up. That can raise the estimate (like a peak) but never lower it: averaged
     * in as a sample, the time a cut-short attempt waited, often little more than a hedge delay, would pull a slow
     * instance's estimate down to that of the fast ones. It counts as a sample all the same, so the endpoint is not
     * probed again at once.
     */
    void observeAtLeast(double lowerBoundNanos, long now) {
        double decayed = (double) COST_NANOS.getOpaque(this) * decay(now - (long) COST_STAMP.getOpaque(this));
        COST_NANOS.setOpaque(this, Math.max(decayed, lowerBoundNanos));
        COST_STAMP.setOpaque(this, now);
    }

    /**
     * Whether this endpoint has no latency estimate: it was never measured, or it was claimed for a probe (which
     * clears the estimate so that the probe's answer becomes it).
     */
    boolean unmeasured() {
        return (double) COST_NANOS.getOpaque(this) == 0.0;
    }

    /** The estimate as of {@code now}: it decays towards zero while no sample arrives, so idle endpoints get tried. */
    double cost(long now) {
        return (double) COST_NANOS.getOpaque(this) * decay(now - (long) COST_STAMP.getOpaque(this));
    }

    /**
     * {@code exp(-elapsed / tau)}. Between busy samples {@code elapsed / tau} is tiny, and there the second-order
     * Taylor polynomial is exact to 1e-7 and several times cheaper than {@link Math#exp}.
     */
    private double decay(long elapsedNanos) {
        double x = Math.max(0L, elapsedNanos) * owner.inverseDecayNanos();
        return x < 0.01 ? 1.0 - x + 0.5 * x * x : Math.exp(-x);
    }

    /**
     * The peak-EWMA load: estimate times (in flight + 1), plus what is left of the last failure's penalty. An
     * endpoint with no estimate yet but requests in flight counts as the failure penalty, so a fresh endpoint is not
     * flooded before its first answer.
     */
    double load(long now) {
        int outstanding = inFlight();
        double cost = cost(now);
        if (cost == 0.0 && outstanding != 0) {
            return owner.failurePenaltyNanos() + outstanding;
        }
        return cost * (outstanding + 1) + penalty(now);
    }

    /**
     * What is left at {@code now} of the last failure's penalty: the full penalty right after it, fading linearly to
     * zero over the penalty window. Once it has faded the stamp is cleared (only if no newer failure replaced it), so
     * picks go back to the clock-free comparison.
     */
    private double penalty(long now) {
        long stamp = (long) PENALTY_STAMP.getOpaque(this);
        if (stamp == NO_PENALTY) {
            return 0.0;
        }
        double left = owner.failurePenaltyNanos() - Math.max(0L, now - stamp) * owner.penaltyFadePerNano();
        if (left > 0.0) {
            return left;
        }
        PENALTY_STAMP.compareAndSet(this, stamp, NO_PENALTY);
        return 0.0;
    }

    /** Whether a failure's penalty may still weigh on this endpoint. */
    private boolean penalized() {
        return (long) PENALTY_STAMP.getOpaque(this) != NO_PENALTY;
    }

    /**
     * Whether this endpoint's {@link #load} is below {@code other}'s, at any moment after both of their last samples,
     * without reading a clock. From the later of the two samples on, both estimates decay by the same factor, so only
     * the older one needs decaying to the time of the newer one; and when the two samples are less than a thousandth
     * of the decay time apart, that factor differs from 1 by under 0.1% and is skipped. On a busy service that is
     * every pick, which then compares two products. An endpoint with requests in flight but no estimate yet, or
     * with a failure penalty that has not faded (both rare), is compared through {@link #load} at the balancer's
     * coarse clock. An endpoint with nothing in flight whose last sample is more than the balancer's probe interval
     * older than its rival's wins, once per interval (see {@link #claimProbe}).
     */
    boolean lighterThan(BalancedEndpoint other) {
        double cost = (double) COST_NANOS.getOpaque(this);
        double otherCost = (double) COST_NANOS.getOpaque(other);
        int outstanding = inFlight();
        int otherOutstanding = other.inFlight();
        if ((cost == 0.0 && outstanding != 0) || (otherCost == 0.0 && otherOutstanding != 0) || penalized()
                || other.penalized()) {
            long now = owner.coarseNow();
            return load(now) < other.load(now);
        }
        long stamp = (long) COST_STAMP.getOpaque(this);
        long otherStamp = (long) COST_STAMP.getOpaque(other);
        long newerBy = stamp - otherStamp;
        if (newerBy < -owner.probeAfterNanos()) {
            if (outstanding == 0 && claimProbe(stamp, otherStamp)) {
                return true;
            }
        } else if (newerBy > owner.probeAfterNanos()) {
            if (otherOutstanding == 0 && other.claimProbe(otherStamp, stamp)) {
                return false;
            }
        }
        double load = cost * (outstanding + 1);
        double otherLoad = otherCost * (otherOutstanding + 1);
        if (Math.abs(newerBy) < owner.negligibleDecayNanos()) {
            return load < otherLoad;
        }
        return newerBy > 0 ? load < otherLoad * decay(newerBy) : load * decay(-newerBy) < otherLoad;
    }

    /**
     * Expires the estimate of this endpoint, whose last sample at {@code stamp} is a probe interval older than its
     * rival's at {@code now}, and makes it the one picked. Its next answer then becomes its estimate, as for a new
     * endpoint: averaged into the old one, a sample after a long silence would move it by only a few percent, and
     * the instance would wait for the old estimate to decay after all. Moving the stamp claims the probe, so of the
     * threads comparing this endpoint at once only one sends it a request; while that request is in flight the
     * endpoint, with no estimate, counts as the failure penalty, and the next probe waits for another interval
     * without a sample.
     *
     * @return whether this thread claimed the probe
     */
    private boolean claimProbe(long stamp, long now) {
        if (!COST_STAMP.compareAndSet(this, stamp, now)) {
            return false;
        }
        COST_NANOS.setOpaque(this, 0.0);
        return true;
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
