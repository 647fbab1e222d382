package io.mesh4j.benchmarks.scenarios;

/** One load scenario: sets up its backends and contenders, runs them side by side, and reports. */
interface Scenario {

    /** A short name, also the file name of its report. */
    String id();

    Report run(Pace pace) throws Exception;
}
