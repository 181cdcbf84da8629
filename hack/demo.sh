#!/usr/bin/env bash
# make demo: start the sandbox clusters with the failed-migration scenario in
# the background, run the plugin's main commands against them as a user would,
# and shut everything down cleanly (also on Ctrl-C or a failing step).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scenario=${SCENARIO:-failed-dvm-rsync-pending,karmada-takeover}
dir=${SANDBOX_DIR:-$root/bin/sandbox-demo}
export PATH="$root/bin:$PATH"

go build -o bin/mig-sandbox ./test/sandbox
rm -rf "$dir"
bin/mig-sandbox --karmada --scenario "$scenario" --dir "$dir" > bin/sandbox-demo.log 2>&1 &
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
section() { printf '\n\033[1;34m== %s ==\033[0m\n' "$*"; }

section "The plan and the migration that failed"
step kubectl mig version
step kubectl mig plan list
step kubectl mig plan describe inventory-plan
step kubectl mig migration list
step kubectl mig migration describe inventory-final

section "What went wrong: diagnose, and the migration's logs merged across both clusters"
step kubectl mig diagnose --migration inventory-final
step kubectl mig logs inventory-plan
step kubectl mig logs --migration inventory-final --until-complete --component rsync,stunnel

section "Manual rollback, dry run: what it would undo on both clusters"
step kubectl mig rollback inventory-plan --manual --dry-run

section "Karmada: take over the shop application on member cluster source (seed examples)"
step kubectl mig karmada migrate --karmada-context host --cluster source --cluster-context source -n shop --kind apps/v1/Deployment --dry-run=client -o yaml
step kubectl mig karmada migrate --karmada-context host --cluster source --cluster-context source -n shop --app nginx \
  --resource apps/v1/Deployment/nginx --resource v1/Service/nginx-svc --wait
step kubectl mig karmada status --karmada-context host -n shop
step kubectl mig karmada rollback --karmada-context host -n shop --policy nginx-pp --dry-run
