package io.mesh4j.lb.internal;

/**
 * 64 bytes before {@link EndpointCounters}: the JVM lays out a superclass's fields before its subclass's, so the
 * counters that request threads write on every attempt start at least a cache line after the previous object in
 * memory (usually another endpoint, whose counters would otherwise share the line). After the counters come the
 * endpoint's read-mostly fields, which keep the next endpoint's counters away in the same way.
 */
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
