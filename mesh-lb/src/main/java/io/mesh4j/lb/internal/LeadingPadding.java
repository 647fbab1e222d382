package io.mesh4j.lb.internal;

/** The padding before {@link EndpointCounters}. */
abstract class LeadingPadding {
    long p0;
    long p1;
    long p2;
    long p3;
    long p4;
    long p5;
    long p6;
    long p7;
}
