#!/usr/bin/env python3
"""Turns JMH's JSON result (-rf json) into a Markdown table: benchmark, parameters, threads, score with its error
(the mean in sample-time mode, which also gets its 99th percentile), and allocation per operation when -prof gc
ran. Usage: jmh-table.py <result.json> > <table.md>"""
import json
import sys


def number(value, digits):
    """JMH writes "NaN" as a string where it has no value."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if value != value else f"{value:.{digits}f}"


def main(path):
    with open(path) as f:
        runs = json.load(f)
    print("| benchmark | parameters | threads | score | error | p99 (sample time) | unit | allocated B/op |")
    print("|---|---|---|---:|---:|---:|---|---:|")
    for run in runs:
        name = run["benchmark"].replace("io.mesh4j.benchmarks.", "")
        params = ", ".join(f"{k}={v}" for k, v in sorted(run.get("params", {}).items()))
        primary = run["primaryMetric"]
        alloc = run.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        p99 = primary.get("scorePercentiles", {}).get("99.0") if run.get("mode") == "sample" else None
        print(f"| {name} | {params} | {run['threads']} | {number(primary['score'], 3)} | "
              f"{number(primary.get('scoreError'), 3)} | {number(p99, 3)} | {primary['scoreUnit']} | "
              f"{number(alloc, 0)} |")


if __name__ == "__main__":
    main(sys.argv[1])
