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

section "Setting up a migration from the CLI: cluster, replication repository, hook, plan"
step bash -c 'kubectl --context source -n openshift-migration create token migration-controller --duration=24h | kubectl mig cluster add source-demo --token-from-context source --token-file -'
step kubectl mig cluster add unreachable --url https://127.0.0.1:1 --token-from-context source
step kubectl mig cluster test source-demo
step kubectl mig cluster list
step env AWS_ACCESS_KEY_ID=demo-access-key AWS_SECRET_ACCESS_KEY=demo-secret-key kubectl mig storage add demo-repo --provider generic-s3 --bucket mig-demo --s3-url https://minio.example.com:9000 -o yaml
step bash -c 'printf -- "- hosts: localhost\n  gather_facts: false\n  tasks:\n  - name: flush caches\n    shell: echo flushed\n" | kubectl mig hook create flush-cache --playbook - --target source --active-deadline 10m'
step kubectl mig plan create demo-plan --source source-demo --destination host --storage demo-repo --namespaces inventory:inventory-demo --hook PreBackup=flush-cache
step kubectl mig plan create bad-plan --source source-demo --destination host --storage demo-repo --namespaces inventory,inventory:Inventory
step kubectl mig cluster remove source-demo

section "The plan and the migration that failed"
step kubectl mig version
step kubectl mig plan list
step kubectl mig plan describe inventory-plan
step kubectl mig plan volumes inventory-plan
step kubectl mig plan volumes set inventory-plan --pvc inventory/archive --action copy --copy-method filesystem --storage-class gp3-csi --dry-run
step kubectl mig plan volumes set inventory-plan --pvc inventory/archive --action copy --copy-method filesystem --storage-class gp3-csi --access-mode ReadWriteOnce --dry-run
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
