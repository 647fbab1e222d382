package io.mesh4j.lb.internal;

/** The counters an endpoint writes on every attempt, behind padding; accessed through {@code VarHandle}s. */
abstract class EndpointCounters extends LeadingPadding {
    int inFlight;
    int consecutiveFailures;
    int intervalAttempts;
    int intervalSuccesses;
    double costNanos;
    long costStamp;
}
