#!/usr/bin/env bash
# Builds the pinned kube-apiserver and etcd used by the test harness into $1
# (default bin/testbin). Both come from the Go module proxy through the small
# modules beside this script. A binary whose pins are unchanged is kept (a
# stamp file records them), so a warm machine pays nothing and a cold one about
# seven to nine minutes on two cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../bin/testbin}
mkdir -p "$out"
out=$(cd "$out" && pwd)
export GOFLAGS=-mod=mod CGO_ENABLED=0

# The apiserver reports this version through /version; without it clients see
# v0.0.0-master and version checks misbehave.
k8s=$(awk '$1=="k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit} $1=="require" && $2=="k8s.io/kubernetes" {print $3; exit}' "$here/apiserver/go.mod")
[ -n "$k8s" ] || { echo "testbin: cannot read the k8s.io/kubernetes version from apiserver/go.mod" >&2; exit 1; }
minor=$(echo "$k8s" | cut -d. -f2)
cb=k8s.io/component-base/version
apiserver_ldflags="-s -w -X $cb.gitVersion=$k8s -X $cb.gitMajor=1 -X $cb.gitMinor=$minor -X $cb.gitTreeState=clean"

build() { # name, module dir, package, ldflags
  local stamp
  stamp=$(cat "$here/$2/go.mod" "$here/$2/go.sum" <(echo "$4") | sha256sum | cut -c1-16)
  if [ -x "$out/$1" ] && [ "$(cat "$out/.$1.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "testbin: $1 up to date"; return
  fi
  echo "testbin: building $1 (cold: minutes; warm Go cache: seconds)"
  (cd "$here/$2" && go build -trimpath -ldflags "$4" -o "$out/$1.tmp" "$3")
  mv "$out/$1.tmp" "$out/$1"
  echo "$stamp" > "$out/.$1.stamp"
}
build etcd etcd . "-s -w"
build kube-apiserver apiserver k8s.io/kubernetes/cmd/kube-apiserver "$apiserver_ldflags"
