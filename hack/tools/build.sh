#!/usr/bin/env bash
# Builds the developer tools pinned in hack/tools/go.mod into a directory.
#   usage: hack/tools/build.sh [OUT_DIR] [TOOL...]
# OUT_DIR defaults to bin/tools; TOOL is controller-gen or golangci-lint
# (default: both). A binary that exists and is newer than hack/tools/go.mod is
# kept, so a warm machine pays nothing; golangci-lint takes ~2-3 minutes cold.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../bin/tools}
shift || true
tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(controller-gen golangci-lint)
mkdir -p "$out"
out=$(cd "$out" && pwd)

pkg_of() {
  case "$1" in
    controller-gen) echo sigs.k8s.io/controller-tools/cmd/controller-gen ;;
    golangci-lint) echo github.com/golangci/golangci-lint/v2/cmd/golangci-lint ;;
    *) echo "tools: unknown tool $1 (want controller-gen or golangci-lint)" >&2; return 1 ;;
  esac
}

for tool in "${tools[@]}"; do
  pkg=$(pkg_of "$tool")
  bin="$out/$tool"
  if [ -x "$bin" ] && [ "$bin" -nt "$here/go.mod" ]; then
    echo "tools: $tool present"
    continue
  fi
  echo "tools: building $tool from hack/tools/go.mod"
  (cd "$here" && CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" "$pkg") && mv "$bin.tmp" "$bin"
done
