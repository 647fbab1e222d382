#!/usr/bin/env bash
# Runs the JMH suite of docs/BENCHMARKS.md with allocation profiling. Short settings by default: a look on a fresh
# clone (about 9.5 minutes on 2 cores), not figures to publish. LONG=1 uses the settings for publishing (about
# 1 h 45 min). Further arguments go to JMH, for example a benchmark name: mesh-benchmarks/jmh.sh StorkPickBenchmark
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp -pl mesh-benchmarks -am package -DskipTests
if [ "${LONG:-0}" = 1 ]; then
  settings=(-f 2 -wi 3 -w 2s -i 5 -r 2s)
else
  settings=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
fi
java -jar mesh-benchmarks/target/benchmarks.jar "${settings[@]}" -prof gc \
  -rf json -rff mesh-benchmarks/target/jmh-result.json "$@"
# A Markdown table of the results beside the JSON, when Python is there to write it.
if command -v python3 >/dev/null 2>&1; then
  python3 mesh-benchmarks/jmh-table.py mesh-benchmarks/target/jmh-result.json > mesh-benchmarks/target/jmh-result.md
  echo "Results: mesh-benchmarks/target/jmh-result.json and mesh-benchmarks/target/jmh-result.md"
fi
