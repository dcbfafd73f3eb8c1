# network-broker — see README.md. Targets: build test check bench fuzz lint size
# install uninstall demo clean.

PREFIX     ?= /usr
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
MANDIR     ?= $(PREFIX)/share/man
# polkit and sysusers read only these places, whatever PREFIX is.
POLKITDIR  ?= /usr/share/polkit-1/rules.d
SYSUSERSDIR ?= /usr/lib/sysusers.d
DESTDIR    ?=
SHELL      := /bin/bash
GO         ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# -trimpath and an empty build id make two builds of one commit byte-identical.
LDFLAGS    := -s -w -buildid= -X main.version=$(VERSION)
BIN        := bin/network-broker
# Largest stripped binary CI accepts: 2.5 MiB. What keeps it there is in
# README.md, "Binary size"; `make sizes` shows where the bytes go.
MAXSIZE    := 2621440
FUZZTIME   ?= 200000x

.PHONY: all build test check deps lint size sizes bench fuzz install uninstall demo clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=false -ldflags '$(LDFLAGS)' -o $(BIN) .

test:
	CGO_ENABLED=0 $(GO) test -count=1 ./...

# check is the whole suite as CI runs it (as root): test dependencies,
# formatting and vet, the dependency and size rules, tests, each fuzz target briefly.
check: deps lint size test fuzz

deps:
	sh internal/lab/testdeps.sh

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOARCH=s390x $(GO) vet ./...
	$(GO) vet -tags perf .
	@reqs=$$($(GO) list -m all | grep -v '^network-broker$$' | awk '{print $$1}' | sort -u); \
	if [ "$$reqs" != "golang.org/x/sys" ]; then echo "go.mod may require only golang.org/x/sys, has: $$reqs"; exit 1; fi; \
	echo "dependencies: $$reqs"

size: build
	@size=$$(stat -c %s $(BIN)); echo "binary size: $$size bytes (limit $(MAXSIZE))"; \
	if [ $$size -gt $(MAXSIZE) ]; then echo "over the limit; see README.md, Binary size"; $(MAKE) -s sizes; exit 1; fi

# sizes prints the code and data each package puts in the binary (symbol
# bytes of an unstripped build; the stripped file adds tables in proportion).
sizes:
	@CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=false -o $(BIN).syms . && \
	$(GO) tool nm -size $(BIN).syms | awk '$$3 ~ /[TtRrDd]/ { n = $$4; \
	  if (n ~ /^go:/) n = "(func data)"; else if (n ~ /^type:/) n = "(types)"; \
	  else { sub(/[(\[].*/, "", n); i = match(n, /\/[^\/]*$$/); d = i ? substr(n, 1, i) : ""; \
	    r = substr(n, i + 1); sub(/\..*/, "", r); n = d r } s[n] += $$2 } \
	  END { for (k in s) printf "%8d %s\n", s[k], k }' | sort -rn | head -25; rm -f $(BIN).syms

# bench: the Go micro-benchmarks, then the end-to-end figures against the
# real components (root; make deps first).
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...
	set -o pipefail; NB_PERF=1 CGO_ENABLED=0 $(GO) test -tags perf -count=1 -timeout=10m -run='^TestPerfFigures$$' -v . | \
	  grep -E '^(method|metric|note):|^(--- |ok|FAIL)'

# fuzz runs every Fuzz target of every package for FUZZTIME. It is a count
# of executions, not a duration: Go 1.26's coordinator can end a timed run
# with a bare "context deadline exceeded" (golang/go#75804, fixed in 1.27).
# A failure is shown whole and the target run once more: a real finding is
# saved under testdata/fuzz and fails again (it is replayed first); a
# fuzzing worker lost on a loaded machine, with nothing saved, does not.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; \
	    if ! CGO_ENABLED=0 $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg > .fuzz.log 2>&1; then \
	      cat .fuzz.log; echo "fuzz $$pkg $$f failed; running it again"; \
	      CGO_ENABLED=0 $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	    else tail -n 3 .fuzz.log; fi; \
	  done; \
	done; rm -f .fuzz.log

HOOKDIRS := carrier.d configured.d degraded.d no-carrier.d routable.d manager.d routes-modified.d
CONFDIR  := $(DESTDIR)$(SYSCONFDIR)/network-broker

# install puts everything in place; an existing configuration file is kept.
install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/network-broker
	install -d -m 0755 $(CONFDIR)
	for d in $(HOOKDIRS); do install -d -m 0755 $(CONFDIR)/$$d; done
	test -e $(CONFDIR)/network-broker.yaml || install -m 0644 network-broker.yaml $(CONFDIR)/network-broker.yaml
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed 's|/usr/bin/network-broker|$(PREFIX)/bin/network-broker|' network-broker.service > $(DESTDIR)$(UNITDIR)/network-broker.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/network-broker.service
	install -D -m 0644 network-broker.8 $(DESTDIR)$(MANDIR)/man8/network-broker.8
	install -D -m 0644 dist/50-network-broker.rules $(DESTDIR)$(POLKITDIR)/50-network-broker.rules
	install -D -m 0644 dist/network-broker.sysusers $(DESTDIR)$(SYSUSERSDIR)/network-broker.conf

# uninstall removes what install added, except the configuration file and
# hook directories that hold the administrator's scripts.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/network-broker $(DESTDIR)$(UNITDIR)/network-broker.service \
	  $(DESTDIR)$(MANDIR)/man8/network-broker.8 \
	  $(DESTDIR)$(POLKITDIR)/50-network-broker.rules $(DESTDIR)$(SYSUSERSDIR)/network-broker.conf
	for d in $(HOOKDIRS); do rmdir $(CONFDIR)/$$d 2>/dev/null || true; done

# demo shows the daemon at work in a throw-away network namespace (root).
demo: build
	sh demo/demo.sh $(BIN)

clean:
	rm -rf bin
