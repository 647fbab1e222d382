#!/usr/bin/env python3
"""Turns JMH's JSON result (-rf json) into a Markdown table: benchmark, parameters, threads, score with its error,
and allocation per operation when -prof gc ran. Usage: jmh-table.py <result.json> > <table.md>"""
import json
import sys


def main(path):
    with open(path) as f:
        runs = json.load(f)
    print("| benchmark | parameters | threads | score | error | unit | allocated B/op |")
    print("|---|---|---|---:|---:|---|---:|")
    for run in runs:
        name = run["benchmark"].replace("io.mesh4j.benchmarks.", "")
        params = ", ".join(f"{k}={v}" for k, v in sorted(run.get("params", {}).items()))
        primary = run["primaryMetric"]
        alloc = run.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        error = primary.get("scoreError")
        print(f"| {name} | {params} | {run['threads']} | {primary['score']:.3f} | "
              f"{'' if error is None or error != error else f'{error:.3f}'} | {primary['scoreUnit']} | "
              f"{'' if alloc is None else f'{alloc:.0f}'} |")


if __name__ == "__main__":
    main(sys.argv[1])
