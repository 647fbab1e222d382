#!/usr/bin/env bash
# Runs the load scenarios of docs/BENCHMARKS.md (io.mesh4j.benchmarks.scenarios.LoadScenarios): installs nginx from
# Debian's packages when it is missing (the overhead scenario's sidecar), builds the benchmark jar, and runs.
# Arguments go to the program: --pace SHORT|DEFAULT|LONG, --out <directory>, scenario ids (all when none).
# The DEFAULT pace takes about 6 minutes on 2 cores and writes docs/scenarios/*.md and *.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  apt="apt-get"; [ "$(id -u)" -eq 0 ] || apt="sudo -n apt-get"
  $apt install -y -q nginx-light || ($apt update -q && $apt install -y -q nginx-light) \
    || echo "nginx could not be installed: the overhead scenario runs without its nginx row" >&2
fi
mvn -B -q -ntp -pl mesh-benchmarks -am package -DskipTests
exec java -cp mesh-benchmarks/target/benchmarks.jar io.mesh4j.benchmarks.scenarios.LoadScenarios "$@"
