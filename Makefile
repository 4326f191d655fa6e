# Vigil's build, test and lint entry points. CI runs .ci/run, which calls
# these targets; a developer runs the same ones.

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X github.com/vigil-monitor/vigil/internal/version.Version=$(VERSION)

# Debian packages the tests run as real servers (internal/testenv). A test
# whose program is missing skips; `make test` installs them so CI never skips.
TEST_DEB_PACKAGES := chromium mariadb-server snmpd snmp dovecot-pop3d dovecot-imapd

# Benchmarks: keep -benchtime small on shared machines.
BENCHTIME ?= 1s
# Load test (bench/loadtest): see docs/performance.md.
LOAD_N        ?= 1000
LOAD_INTERVAL ?= 30s
LOAD_DURATION ?= 5m

.PHONY: build test test-deps lint bench loadtest clean

# A static binary (no cgo): it runs on any Linux of its architecture, and an
# agent does not map the C library (about 1.3 MiB of its resident memory).
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o vigil .

test: test-deps
	$(GO) test -race -count=1 ./...

# test-deps installs the missing Debian packages: apt-get update once, then
# one install. It installs nothing when all are present, and fails with the
# command to run when some are missing and we are not root.
test-deps:
	@missing=""; \
	for p in $(TEST_DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then \
		echo "test-deps: Debian packages present ($(TEST_DEB_PACKAGES)); skipping the install step"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
		echo "test-deps: no apt-get here; install$$missing yourself or the tests that need them skip" >&2; \
	elif [ "$$(id -u)" != 0 ]; then \
		echo "test-deps: missing Debian packages:$$missing; run as root or: sudo apt-get update && sudo apt-get install -y --no-install-recommends$$missing" >&2; \
		exit 1; \
	else \
		echo "test-deps: installing$$missing"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

lint:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt -l: these files need gofmt -w:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) tool templ generate
	@# Generated files must be committed and match the pinned templ version.
	git diff --exit-code -- '*_templ.go'
	@out="$$(git status --porcelain -- '*_templ.go')"; if [ -n "$$out" ]; then echo "templ generate made files that are not committed:"; echo "$$out"; exit 1; fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

loadtest: build
	$(GO) run ./bench/loadtest -vigil ./vigil -n $(LOAD_N) -interval $(LOAD_INTERVAL) -duration $(LOAD_DURATION)

clean:
	rm -f vigil
