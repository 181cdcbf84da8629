# kubectl-mig build, test and demo entry points. Everything the project needs is
# built here from the Go module proxy or installed from Debian packages.

SHELL        := /usr/bin/env bash
GO           ?= go
BIN          := $(CURDIR)/bin
TESTBIN      := $(BIN)/testbin
TOOLS        := $(BIN)/tools
VERSION      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT       ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
PKG          := github.com/kubectl-mig/kubectl-mig
LDFLAGS      := -s -w -X $(PKG)/engine/buildinfo.version=$(VERSION) -X $(PKG)/engine/buildinfo.commit=$(COMMIT)
BINARIES     := kubectl-mig kubectl-mig-plan kubectl-mig-migrate kubectl-mig-rollback kubectl-mig-diagnose kubectl-mig-gather
SCENARIO     ?= test/scenarios/failed-dvm-rsync-pending
SANDBOX_DIR  ?= $(BIN)/sandbox
# go test's own timeout for the whole run; CI has 90 minutes in all.
TEST_TIMEOUT ?= 30m

export KUBECTL_MIG_TESTBIN := $(TESTBIN)

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

.PHONY: build
build: ## build every binary into bin/
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ $(addprefix ./cmd/,$(BINARIES))

.PHONY: testbin
testbin: ## build the pinned kube-apiserver and etcd the tests run against
	hack/testbin/build.sh $(TESTBIN)

.PHONY: fmt-check
fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

.PHONY: vet
vet:
	$(GO) vet ./...

.PHONY: test
test: testbin fmt-check vet docs-check ## gofmt, go vet, docs drift, every test (-race) against a real kube-apiserver, release check
	KUBECTL_MIG_REQUIRE_TESTBIN=1 $(GO) test -race -timeout $(TEST_TIMEOUT) ./...
	$(MAKE) dist VERSION=$(CHECK_VERSION)

# The version the release check in `make test` packs and validates.
CHECK_VERSION ?= v0.1.0

.PHONY: docs
docs: ## regenerate docs/cmd (one page per command)
	rm -rf docs/cmd
	$(GO) run ./hack/docs docs/cmd

.PHONY: docs-check
docs-check: ## fail when docs/cmd differs from the commands
	@tmp=$$(mktemp -d); $(GO) run ./hack/docs $$tmp/cmd && \
	  if ! diff -r docs/cmd $$tmp/cmd >/dev/null; then \
	    echo "docs/cmd is out of date: run 'make docs' and commit it"; diff -r docs/cmd $$tmp/cmd | head -40; rm -rf $$tmp; exit 1; fi; \
	  rm -rf $$tmp

.PHONY: dist
dist: ## cross-compile release archives for VERSION, render and check the krew manifest (dist/)
	hack/dist.sh $(VERSION)

.PHONY: krew-manifest
krew-manifest: dist ## copy the rendered manifest of VERSION to krew/mig.yaml
	cp dist/mig.yaml krew/mig.yaml

.PHONY: lint
lint: fmt-check vet ## gofmt, go vet and the pinned golangci-lint
	hack/tools/build.sh $(TOOLS) golangci-lint
	$(TOOLS)/golangci-lint run ./...

.PHONY: generate
generate: ## regenerate deepcopy code and CRD manifests (committed; must leave no diff)
	hack/generate.sh

.PHONY: sandbox
sandbox: testbin ## run the sandbox clusters with SCENARIO until interrupted
	$(GO) run ./test/sandbox --scenario $(SCENARIO) --dir $(SANDBOX_DIR)

.PHONY: demo
demo: build testbin ## start the sandbox with the failed migration and run the main commands against it
	hack/demo.sh

.PHONY: bench
bench: build testbin ## benchmarks and whole-command comparisons with peers
	hack/bench.sh

.PHONY: clean
clean:
	rm -rf $(BIN) dist
