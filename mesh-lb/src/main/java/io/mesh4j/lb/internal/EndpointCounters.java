package io.mesh4j.lb.internal;

/** Counters written on every attempt, behind padding on both sides; accessed through {@code VarHandle}s. */
abstract class EndpointCounters extends LeadingPadding {
    int inFlight;
    int consecutiveFailures;
    int intervalAttempts;
    int intervalSuccesses;
    double costNanos;
    long costStamp;
}
