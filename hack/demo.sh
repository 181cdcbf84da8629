#!/usr/bin/env bash
# make demo: start the sandbox clusters with the failed-migration scenario in
# the background, run the plugin's main commands against them as a user would,
# and shut everything down cleanly (also on Ctrl-C or a failing step).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scenario=${SCENARIO:-test/scenarios/failed-dvm-rsync-pending}
dir=${SANDBOX_DIR:-$root/bin/sandbox-demo}
export PATH="$root/bin:$PATH"

go build -o bin/mig-sandbox ./test/sandbox
rm -rf "$dir"
bin/mig-sandbox --scenario "$scenario" --dir "$dir" > bin/sandbox-demo.log 2>&1 &
sandbox=$!
stop() { kill -TERM "$sandbox" 2>/dev/null || true; wait "$sandbox" 2>/dev/null || true; }
trap stop EXIT

for _ in $(seq 1 120); do
  [ -f "$dir/ready" ] && break
  kill -0 "$sandbox" 2>/dev/null || { echo "sandbox exited early:"; tail -n 40 bin/sandbox-demo.log; exit 1; }
  sleep 0.5
done
[ -f "$dir/ready" ] || { echo "sandbox not ready after 60 s:"; tail -n 40 bin/sandbox-demo.log; exit 1; }
export KUBECONFIG="$dir/kubeconfig"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@" || echo "(exit code $?)"; }

echo "Sandbox up ($scenario): contexts $(kubectl config get-contexts -o name | tr '\n' ' ')"
step kubectl mig version
step kubectl mig plan list
