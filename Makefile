# llmlocust: build, run, test.
GO       ?= go
BIN      := bin/llmlocust
PKGS     := ./...
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build run test bench lint clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/llmlocust

# A live run against the built-in simulated LLM server: nothing else needed.
run: build
	./$(BIN) -f scenarios/quickstart.lua -H mock --headless -u 20 -r 5 -t 60s

test:
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m $(PKGS)

lint:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: the files above need formatting"; exit 1; }
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)

clean:
	rm -rf bin
