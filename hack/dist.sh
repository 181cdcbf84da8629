#!/usr/bin/env bash
# make dist VERSION=vX.Y.Z: cross-compiles stripped, reproducible kubectl-mig
# binaries (version and commit stamped), packs one .tar.gz per platform with
# LICENSE and the completion helpers, writes sha256 sums, renders the krew
# manifest with the real URIs and sums, and checks it as krew would (including
# an install replay per platform and `kubectl mig version` through kubectl).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=${1:?usage: hack/dist.sh vX.Y.Z}
[[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "dist: VERSION must be semver with a leading v, got $version" >&2; exit 2; }
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
# Archive timestamps come from the commit, so the same commit packs to the same bytes.
epoch=$(git log -1 --format=%ct 2>/dev/null || echo 0)
dist=$root/dist
pkg=github.com/kubectl-mig/kubectl-mig/engine/buildinfo
ldflags="-s -w -buildid= -X $pkg.version=$version -X $pkg.commit=$commit"
rm -rf "$dist"; mkdir -p "$dist"

for platform in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64; do
  os=${platform%/*}; arch=${platform#*/}
  stage=$dist/stage-$os-$arch; mkdir -p "$stage"
  bin=kubectl-mig; [ "$os" = windows ] && bin=kubectl-mig.exe
  echo "dist: building $platform"
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$stage/$bin" ./cmd/kubectl-mig
  cp LICENSE hack/completion/kubectl_complete-mig hack/completion/oc_complete-mig "$stage/"
  chmod 0755 "$stage/$bin" "$stage"/*_complete-mig; chmod 0644 "$stage/LICENSE"
  (cd "$stage" && tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner -cf - \
      "$bin" LICENSE kubectl_complete-mig oc_complete-mig) | gzip -9n > "$dist/kubectl-mig_${version}_${os}_${arch}.tar.gz"
  rm -rf "$stage"
done
(cd "$dist" && sha256sum ./*.tar.gz | sed 's| \./| |' > sha256sums.txt)
go run ./hack/krew render --version "$version" --dist "$dist"
go run ./hack/krew check --manifest "$dist/mig.yaml" --dist "$dist"
ls -l "$dist"
