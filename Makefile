# ApiKeyRouter — build, run and test. `make run` and `make test` are the two
# commands a newcomer needs; everything they depend on is installed here.

GO            ?= go
BIN           := bin
CORE_WASM     := $(BIN)/apikeyrouter-core.wasm
GO_TEST_FLAGS ?=
FUZZTIME      ?= 10s
SOAKTIME      ?= 10m
SOAKADAPTERS  ?= auto

.PHONY: all build wasm plugins mockupstream proto run test bench soak fuzz verify vectors clean

all: verify test

## build: the core .wasm, the adapter plugins and the apikeyrouter binary into bin/
build: wasm plugins
	$(GO) build -trimpath -o $(BIN)/apikeyrouter ./hosts/apikeyrouter

## wasm: the core as an Extism plugin: stock Go (GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared
## -trimpath ./wasm), then its forward jumps threaded (wasm/optimize)
wasm:
	@mkdir -p $(BIN)
	$(GO) run ./wasm/cmd/buildcore -o $(CORE_WASM)

## plugins: the provider adapter subprocesses
plugins:
	@mkdir -p $(BIN)
	$(GO) build -trimpath -o $(BIN)/apikeyrouter-openai ./plugins/openai/cmd/apikeyrouter-openai
	$(GO) build -trimpath -o $(BIN)/apikeyrouter-gemini ./plugins/gemini/cmd/apikeyrouter-gemini
	$(GO) build -trimpath -o $(BIN)/apikeyrouter-azure ./plugins/azure/cmd/apikeyrouter-azure
	$(GO) build -trimpath -o $(BIN)/apikeyrouter-anthropic ./plugins/anthropic/cmd/apikeyrouter-anthropic

## mockupstream: the mock OpenAI-compatible provider, for benchmarks and manual tests
mockupstream:
	@mkdir -p $(BIN)
	$(GO) build -trimpath -o $(BIN)/mockupstream ./hosts/mockupstream/cmd/mockupstream

PROTOC_GEN_GO      := google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
PROTOC_GEN_GO_GRPC := google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2

## proto: regenerate the plugin protocol's Go code (committed; needs protoc, installed from apt)
proto:
	command -v protoc >/dev/null || (apt-get update && apt-get install -y protobuf-compiler)
	GOBIN=$(abspath $(BIN)/tools) $(GO) install $(PROTOC_GEN_GO)
	GOBIN=$(abspath $(BIN)/tools) $(GO) install $(PROTOC_GEN_GO_GRPC)
	PATH="$(abspath $(BIN)/tools):$$PATH" protoc --proto_path=plugins/sdk/internal/adapterpb \
	  --go_out=plugins/sdk/internal/adapterpb --go_opt=paths=source_relative \
	  --go-grpc_out=plugins/sdk/internal/adapterpb --go-grpc_opt=paths=source_relative adapter.proto

## run: build everything and start the proxy on PROXY_PORT (8000), data in APIKEYROUTER_DATA_DIR (./data)
run: build
	$(BIN)/apikeyrouter serve

## test: every test, with the race detector; the core again with GOAMD64=v3 (fused multiply-add);
## the golden vectors replayed from Node through Extism
test: wasm
	$(GO) test -race -timeout 15m $(GO_TEST_FLAGS) ./...
	GOAMD64=v3 $(GO) test -count=1 ./core/... ./abi/... ./internal/coretest/... ./hosts/internal/wasmcore/...
	command -v node >/dev/null && command -v npm >/dev/null || (apt-get update && apt-get install -y nodejs npm)
	npm ci --prefix hosts/node --no-audit --no-fund
	NODE_NO_WARNINGS=1 node hosts/node/test.mjs $(CORE_WASM) testdata/vectors
	NODE_NO_WARNINGS=1 node hosts/node/example.mjs $(CORE_WASM) > /dev/null

BENCH_FLAGS ?=

## bench: apikeyrouter side by side with the mock upstream and a bare ReverseProxy hop (one run, rounds
## visiting the targets forwards then backwards), then the core natively and in WebAssembly; rewrites
## BENCHMARKS.md and hosts/bench/results/ (~12 min; not part of test). e.g. BENCH_FLAGS='-micro=false -rounds 2'
bench:
	$(GO) run ./hosts/bench/run $(BENCH_FLAGS)

## soak: SOAKTIME of mixed load with injected faults against the binary (not part of test);
## SOAKADAPTERS=plugin sends every call through the adapter subprocesses
soak:
	APIKEYROUTER_SOAK=$(SOAKTIME) APIKEYROUTER_SOAK_ADAPTERS=$(SOAKADAPTERS) $(GO) test -count=1 -run '^TestSoak$$' -timeout 30m -v ./hosts/apikeyrouter

## fuzz: each fuzz target in turn for FUZZTIME
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./abi
	$(GO) test -run '^$$' -fuzz '^FuzzNativeVsWasm$$' -fuzztime $(FUZZTIME) ./hosts/internal/wasmcore
	$(GO) test -run '^$$' -fuzz '^FuzzExports$$' -fuzztime $(FUZZTIME) ./hosts/internal/wasmcore
	$(GO) test -run '^$$' -fuzz '^FuzzSSEScanner$$' -fuzztime $(FUZZTIME) ./plugins/sdk
	$(GO) test -run '^$$' -fuzz '^FuzzAppendString$$' -fuzztime $(FUZZTIME) ./hosts/mockupstream
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./hosts/internal/config
	$(GO) test -run '^$$' -fuzz '^FuzzClientRequest$$' -fuzztime $(FUZZTIME) ./hosts/internal/proxy
	$(GO) test -run '^$$' -fuzz '^FuzzRequestBody$$' -fuzztime $(FUZZTIME) ./plugins/translate
	$(GO) test -run '^$$' -fuzz '^FuzzResponse$$' -fuzztime $(FUZZTIME) ./plugins/translate
	$(GO) test -run '^$$' -fuzz '^FuzzStream$$' -fuzztime $(FUZZTIME) ./plugins/translate

## vectors: rewrite the golden vectors from the native core (new vectors only!)
vectors:
	$(GO) test ./internal/coretest -run TestVectors -update

## verify: formatting, vet, tidy modules, the wasip1 cross-build, a clean tree
verify:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) mod tidy && git diff --exit-code go.mod go.sum
	GOOS=wasip1 GOARCH=wasm $(GO) build ./core/... ./abi/... ./wasm/...
	GOOS=wasip1 GOARCH=wasm $(GO) vet ./wasm && GOOS=wasip1 GOARCH=wasm $(GO) vet -tags akrcrash ./wasm
	$(GO) test -count=1 -run TestImports ./core
	@test -z "$$(git status --porcelain)" || { git status --porcelain; echo "verify: the tree is not clean"; exit 1; }

clean:
	rm -rf $(BIN)
