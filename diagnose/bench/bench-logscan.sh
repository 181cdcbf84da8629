#!/usr/bin/env bash
# make bench hook: generates a 1 GiB log set in a temp dir and reports the
# diagnose log scanner's throughput and peak memory next to
# `grep -c -F -f <patterns>` on the same files in the same run.
# Extra arguments go to the program (-size 256MiB, -dir DIR -keep, ...).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/logscanbench" ./diagnose/bench/logscanbench
"$bin/logscanbench" -size 1GiB "$@"
