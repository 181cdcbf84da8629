#!/usr/bin/env bash
# Regenerates everything derived from the typed APIs under engine/api:
#   - zz_generated.deepcopy.go in every API package (controller-gen object)
#   - CRD manifests for our own MTC and Karmada types (controller-gen crd)
#   - the Route CRD copied from the pinned github.com/openshift/api module
# Hand-written CRDs (Karmada Cluster, OpenShift DeploymentConfig) are left alone.
# controller-gen is built from the pinned hack/tools module into bin/tools by
# hack/tools/build.sh (skipped when present and current). Running this twice
# leaves no diff.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

tools="$root/bin/tools"
hack/tools/build.sh "$tools" controller-gen
controller_gen="$tools/controller-gen"

api=./engine/api
crds=engine/api/crds

echo "generate: deepcopy"
"$controller_gen" object:headerFile=hack/boilerplate.go.txt paths="$api/..."

echo "generate: CRDs"
# Remove only what controller-gen writes, so stale kinds disappear and the
# hand-written manifests beside them survive.
rm -f "$crds"/mtc/migration.openshift.io_*.yaml \
      "$crds"/karmada/policy.karmada.io_*.yaml \
      "$crds"/karmada/work.karmada.io_*.yaml
"$controller_gen" crd paths="$api/mtc/..." output:crd:artifacts:config="$crds/mtc"
"$controller_gen" crd paths="$api/karmada/policy/..." paths="$api/karmada/work/..." \
  output:crd:artifacts:config="$crds/karmada"

echo "generate: Route CRD from github.com/openshift/api"
openshift_api=$(go list -m -f '{{.Dir}}' github.com/openshift/api)
cp "$openshift_api/route/v1/zz_generated.crd-manifests/routes.crd.yaml" \
   "$crds/openshift/route.openshift.io_routes.yaml"
chmod 0644 "$crds/openshift/route.openshift.io_routes.yaml"
