package io.mesh4j.lb.internal;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.Ticker;
import io.mesh4j.api.balancer.BalancerStats;
import io.mesh4j.api.balancer.LoadBalancer;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.BalancerConfig;
import io.mesh4j.lb.OutlierEjectionConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * The balancer behind every {@link Algorithm}: keeps one {@link BalancedEndpoint} per instance id, and whenever the
 * instance set or an endpoint's health changes builds an immutable {@link BalancedPicker} over the candidates
 * (healthy, or all in panic; local zone first) and publishes it with one volatile write. Healthy means neither
 * ejected by outlier detection nor marked unhealthy by the client's active health checks.
 *
 * <p>Thread-safe. Snapshot building runs under this object's monitor: on discovery updates, on an ejection (from
 * the request thread whose attempt crossed the failure threshold, a rare event), and when a snapshot's review time
 * passes (an ejection ends or a ramp completes), which one picking thread notices and does while the others keep
 * using the current snapshot. Picking itself takes no lock.
 */
final class MeshLoadBalancer implements LoadBalancer {

    private static final Picker EMPTY = context -> null;
    private static final long COARSE_CLOCK_STEP_NANOS = 1_000_000L;

    private final String service;
    private final BalancerConfig config;
    private final Ticker ticker;
    private final RandomGenerator random;
    private final boolean tracksLatency;
    private final boolean tracksInFlight;
    private final double inverseDecayNanos;
    private final long negligibleDecayNanos;
    private final long probeAfterNanos;
    private final long failurePenaltyNanos;
    private final double penaltyFadePerNano;
    private final OutlierEjectionConfig ejection;
    private final long slowStartNanos;
    private final double slowStartMinFactor;
    private final StripedCursor position = new StripedCursor();
    private final AtomicBoolean reviewing = new AtomicBoolean();
    private volatile long observedNanos;
    private final long successRateIntervalNanos;
    private final AtomicBoolean checkingSuccessRates = new AtomicBoolean();
    private volatile long nextSuccessRateCheck;

    private volatile Picker picker = EMPTY;
    private Map<String, BalancedEndpoint> endpointsById = Map.of();
    private List<BalancedEndpoint> endpoints = List.of();
    private boolean populated;

    MeshLoadBalancer(String service, BalancerConfig config) {
        this.service = requireNonNull(service, "service");
        this.config = requireNonNull(config, "config");
        this.ticker = config.ticker();
        this.random = config.random();
        this.tracksLatency = config.algorithm() == Algorithm.PEAK_EWMA;
        this.tracksInFlight = tracksLatency || config.algorithm() == Algorithm.LEAST_REQUEST;
        this.inverseDecayNanos = 1.0 / config.ewmaDecayTime().toNanos();
        this.negligibleDecayNanos = config.ewmaDecayTime().toNanos() / 1000;
        this.probeAfterNanos = config.latencyProbeInterval().isZero() ? Long.MAX_VALUE
                : config.latencyProbeInterval().toNanos();
        this.failurePenaltyNanos = config.failurePenalty().toNanos();
        this.penaltyFadePerNano = (double) failurePenaltyNanos / config.failurePenaltyWindow().toNanos();
        this.ejection = config.outlierEjection();
        this.slowStartNanos = config.slowStartWindow().toNanos();
        this.slowStartMinFactor = config.slowStartMinWeightPercent() / 100.0;
        this.observedNanos = ticker.read();
        this.successRateIntervalNanos = ejection.enabled() ? ejection.successRateInterval().toNanos() : 0;
        this.nextSuccessRateCheck = observedNanos + successRateIntervalNanos;
    }

    @Override
    public synchronized void updateInstances(List<ServiceInstance> instances) {
        requireNonNull(instances, "instances");
        long now = ticker.read();
        Map<String, BalancedEndpoint> next = new HashMap<>(instances.size() * 2);
        List<BalancedEndpoint> ordered = new ArrayList<>(instances.size());
        for (ServiceInstance instance : instances) {
            BalancedEndpoint endpoint = endpointsById.get(instance.id());
            if (endpoint == null) {
                endpoint = new BalancedEndpoint(this, instance, now);
                if (populated && slowStartNanos > 0) {
                    endpoint.rampStart = now;
                }
            } else {
                endpoint.instance(instance);
            }
            if (next.put(instance.id(), endpoint) == null) {
                ordered.add(endpoint);
            }
        }
        endpointsById = next;
        endpoints = List.copyOf(ordered);
        populated |= !ordered.isEmpty();
        rebuild(now);
    }

    @Override
    public Picker picker() {
        return picker;
    }

    @Override
    public boolean weighsLatency() {
        return tracksLatency;
    }

    @Override
    public synchronized void updateHealth(String instanceId, boolean healthy) {
        BalancedEndpoint endpoint = endpointsById.get(requireNonNull(instanceId, "instanceId"));
        if (endpoint == null || endpoint.activelyHealthy == healthy) {
            return;
        }
        long now = ticker.read();
        endpoint.activelyHealthy = healthy;
        if (healthy && slowStartNanos > 0) {
            endpoint.rampStart = now;
        }
        rebuild(now);
    }

    /** Called by the picking thread that notices a snapshot's review time has passed. */
    void review() {
        if (reviewing.compareAndSet(false, true)) {
            try {
                synchronized (this) {
                    rebuild(ticker.read());
                }
            } finally {
                reviewing.set(false);
            }
        }
    }

    boolean checksSuccessRate() {
        return successRateIntervalNanos > 0;
    }

    /**
     * Called after every attempt while success-rate ejection is on: the first attempt to end after the interval
     * compares the interval's success rates and ejects the outliers.
     */
    void maybeCheckSuccessRates(long endNanos) {
        if (endNanos - nextSuccessRateCheck < 0 || !checkingSuccessRates.compareAndSet(false, true)) {
            return;
        }
        try {
            nextSuccessRateCheck = endNanos + successRateIntervalNanos;
            checkSuccessRates();
        } finally {
            checkingSuccessRates.set(false);
        }
    }

    private synchronized void checkSuccessRates() {
        List<BalancedEndpoint> qualified = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        for (BalancedEndpoint endpoint : endpoints) {
            int attempts = endpoint.takeIntervalAttempts();
            int successes = endpoint.takeIntervalSuccesses();
            if (attempts >= ejection.successRateRequestVolume()) {
                qualified.add(endpoint);
                rates.add(Math.min(1.0, (double) successes / attempts));
            }
        }
        if (qualified.size() < ejection.successRateMinimumHosts()) {
            return;
        }
        double mean = rates.stream().mapToDouble(Double::doubleValue).average().orElse(1.0);
        double variance = rates.stream().mapToDouble(rate -> (rate - mean) * (rate - mean)).average().orElse(0);
        double threshold = mean - ejection.successRateStdevFactor() * Math.sqrt(variance);
        for (int i = 0; i < qualified.size(); i++) {
            if (rates.get(i) < threshold) {
                eject(qualified.get(i));
            }
        }
    }

    /** Called by an endpoint whose consecutive failures reached the threshold. */
    synchronized void onConsecutiveFailures(BalancedEndpoint endpoint) {
        eject(endpoint);
    }

    private void eject(BalancedEndpoint endpoint) {
        if (endpoint.ejected || endpointsById.get(endpoint.instance().id()) != endpoint) {
            return;
        }
        int ejectedNow = 0;
        for (BalancedEndpoint e : endpoints) {
            if (e.ejected) {
                ejectedNow++;
            }
        }
        int cap = Math.max(1, endpoints.size() * ejection.maxEjectedPercent() / 100);
        if (ejectedNow >= cap) {
            return;
        }
        long now = ticker.read();
        long base = ejection.baseEjectionTime().toNanos();
        long max = ejection.maxEjectionTime().toNanos();
        if (endpoint.ejections > 0 && now - endpoint.returnedAt > max) {
            endpoint.ejections = 0;
        }
        endpoint.ejections++;
        endpoint.ejected = true;
        endpoint.ejectedUntil = now + Math.min(max, base * endpoint.ejections);
        endpoint.resetFailures();
        rebuild(now);
    }

    private void rebuild(long now) {
        long reviewAt = Long.MAX_VALUE;
        List<BalancedEndpoint> healthy = new ArrayList<>(endpoints.size());
        for (BalancedEndpoint endpoint : endpoints) {
            if (endpoint.ejected && now - endpoint.ejectedUntil >= 0) {
                endpoint.ejected = false;
                endpoint.returnedAt = now;
                if (slowStartNanos > 0) {
                    endpoint.rampStart = now;
                }
            }
            if (endpoint.rampStart != BalancedEndpoint.NOT_RAMPING && now - endpoint.rampStart >= slowStartNanos) {
                endpoint.rampStart = BalancedEndpoint.NOT_RAMPING;
            }
            if (endpoint.ejected) {
                reviewAt = Math.min(reviewAt, endpoint.ejectedUntil);
            } else if (endpoint.activelyHealthy) {
                healthy.add(endpoint);
            }
            if (endpoint.rampStart != BalancedEndpoint.NOT_RAMPING) {
                reviewAt = Math.min(reviewAt, endpoint.rampStart + slowStartNanos);
            }
        }
        if (endpoints.isEmpty()) {
            picker = EMPTY;
            return;
        }
        List<BalancedEndpoint> candidates =
                healthy.size() * 100 < config.panicThresholdPercent() * endpoints.size() || healthy.isEmpty()
                        ? endpoints
                        : healthy;
        candidates = preferLocalZone(candidates);
        BalancedEndpoint[] array = candidates.toArray(new BalancedEndpoint[0]);
        boolean ramping = false;
        for (BalancedEndpoint endpoint : array) {
            ramping |= endpoint.rampStart != BalancedEndpoint.NOT_RAMPING;
        }
        Selector selector = Selectors.create(config.algorithm(), array, this, position);
        picker = new BalancedPicker(this, array, selector, reviewAt == Long.MAX_VALUE ? 0 : reviewAt,
                reviewAt != Long.MAX_VALUE, ramping);
    }

    private List<BalancedEndpoint> preferLocalZone(List<BalancedEndpoint> candidates) {
        String zone = config.localZone();
        if (zone == null) {
            return candidates;
        }
        int localTotal = 0;
        for (BalancedEndpoint endpoint : endpoints) {
            if (zone.equals(endpoint.instance().zone())) {
                localTotal++;
            }
        }
        List<BalancedEndpoint> local = new ArrayList<>();
        for (BalancedEndpoint endpoint : candidates) {
            if (zone.equals(endpoint.instance().zone())) {
                local.add(endpoint);
            }
        }
        boolean enough = !local.isEmpty() && local.size() * 100 >= config.minLocalHealthyPercent() * localTotal;
        return enough ? local : candidates;
    }

    BalancerConfig config() {
        return config;
    }

    Ticker ticker() {
        return ticker;
    }

    /**
     * Moves the balancer's coarse clock forward to an attempt's end time, at most once per millisecond, so that
     * peak-EWMA picks can decay estimates without reading a clock and without a shared write on every call.
     */
    void observedTime(long endNanos) {
        if (endNanos - observedNanos > COARSE_CLOCK_STEP_NANOS) {
            observedNanos = endNanos;
        }
    }

    /** How much older than its rival's an idle endpoint's last sample may be before it gets a probe; never if off. */
    long probeAfterNanos() {
        return probeAfterNanos;
    }

    /** A thousandth of the EWMA decay time: samples closer than this decay alike to within 0.1%. */
    long negligibleDecayNanos() {
        return negligibleDecayNanos;
    }

    /** The latest attempt end time seen, to within a millisecond. */
    long coarseNow() {
        return observedNanos;
    }

    RandomGenerator random() {
        return random != null ? random : ThreadLocalRandom.current();
    }

    boolean tracksLatency() {
        return tracksLatency;
    }

    /** Whether picks weigh in-flight counts, so endpoints must keep them (a shared write per attempt otherwise saved). */
    boolean tracksInFlight() {
        return tracksInFlight;
    }

    /** One over the EWMA decay time, so that decaying multiplies instead of dividing. */
    double inverseDecayNanos() {
        return inverseDecayNanos;
    }

    long failurePenaltyNanos() {
        return failurePenaltyNanos;
    }

    /** How much of the failure penalty fades per nanosecond. */
    double penaltyFadePerNano() {
        return penaltyFadePerNano;
    }

    boolean ejects() {
        return ejection.enabled();
    }

    int ejectionThreshold() {
        return ejection.consecutiveFailures();
    }

    long slowStartNanos() {
        return slowStartNanos;
    }

    double slowStartMinFactor() {
        return slowStartMinFactor;
    }

    @Override
    public synchronized BalancerStats stats() {
        int healthy = 0;
        int ejected = 0;
        int failing = 0;
        for (BalancedEndpoint endpoint : endpoints) {
            ejected += endpoint.ejected ? 1 : 0;
            failing += endpoint.activelyHealthy ? 0 : 1;
            healthy += !endpoint.ejected && endpoint.activelyHealthy ? 1 : 0;
        }
        return BalancerStats.of(endpoints.size(), healthy, ejected, failing);
    }

    /** The endpoints of the current instance set, for tests. */
    synchronized List<BalancedEndpoint> endpoints() {
        return endpoints;
    }

    @Override
    public String toString() {
        return "MeshLoadBalancer{" + service + ", " + config.algorithm() + ", " + endpoints.size() + " instances}";
    }
}
