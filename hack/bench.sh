#!/usr/bin/env bash
# make bench: speed and memory, measured (never asserted in tests).
#  1. kubectl-mig binary size and `kubectl-mig --help` start-up time.
#  2. Go benchmarks of the hot paths (log scanning, redaction, bundle writing).
#  3. diagnose's log scan over a generated 1 GiB log set, next to grep -c -F -f.
#  4. gather against `kubectl cluster-info dump` and a one-request-per-object
#     baseline on a sandbox of 100 namespaces x 20 pods x 1 MiB logs (when
#     gather/bench exists; it takes several minutes).
# BENCH_QUICK=1 skips 4.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=bin/kubectl-mig
[ -x "$bin" ] || make build

echo "== kubectl-mig binary and start-up =="
size=$(stat -c %s "$bin")
printf 'binary size: %s bytes (%.1f MiB, stripped)\n' "$size" "$(echo "$size/1048576" | bc -l)"
runs=50
start=$(date +%s%N)
for _ in $(seq $runs); do "$bin" --help >/dev/null; done
end=$(date +%s%N)
printf 'start-up (kubectl-mig --help, mean of %d runs): %.1f ms (budget 50 ms)\n' "$runs" "$(echo "($end-$start)/$runs/1000000" | bc -l)"

echo; echo "== Go benchmarks =="
go test -run '^$' -bench . -benchmem ./diagnose/logscan/ ./gather/redact/ ./gather/bundle/ 2>/dev/null | grep -E '^(Benchmark|ok|PASS)' || true

echo; echo "== diagnose log scan vs grep (1 GiB) =="
diagnose/bench/bench-logscan.sh

if [ -z "${BENCH_QUICK:-}" ] && [ -d gather/bench ]; then
  echo; echo "== gather vs kubectl cluster-info dump vs sequential baseline =="
  go run ./gather/bench --kubectl-mig "$bin" "$@"
fi
