# The two commands a newcomer needs: `make run` (the whole system on local
# defaults) and `make test` (every test against real Kafka and PostgreSQL).
PYTHON ?= python3.11
VENV := .venv
# What is fetched or built once per machine at pinned versions (Kafka's jars, Lighthouse, the AsyncAPI tools, helm,
# kubeconform, the image's Debian base), shared by every checkout as pip's cache is: a fresh clone finds them there.
# What a checkout makes of its own tree (the image, the vendor clients, reports) stays in its .cache/.
TOOLS_CACHE ?= $(or $(ACCORDEER_TOOLS_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/accordeer)
export ACCORDEER_TOOLS_CACHE := $(TOOLS_CACHE)
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check unit wipe docs bench profile clean venv browser lighthouse chaos soak node asyncapi vendor-clients \
	image chart-tools

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==26.3
	$(BIN)/pip install --quiet -e '.[test,local]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/accordeer run

# The suite's own temporary folder (cleared at each run): another pytest session on the machine resets the
# permissions of the shared /tmp/pytest-of-<user>, which the embedded PostgreSQL's data directory must keep.
TEST_TMP := /tmp/accordeer-tests-$(shell printf '%s' '$(CURDIR)' | cksum | cut -d' ' -f1)

# Most tests wait on a broker, a database or a service, not on the CPU: three workers keep two cores busy (measured:
# 9 min of pytest against 12 with two). They share one Kafka broker, each has a PostgreSQL of its own, and each test
# its own database and topic prefix. A test file stays on one worker, so its fixtures start once (handing tests out
# one by one was slower and starved the three-broker tests). Files go out in the order they are collected (end to
# end, integration, then the many small unit files that fill the gaps at the end): xdist's default sends the files
# with the most tests first, which left the longest single-test files (the secrets scan, the secure run) to start
# last and run alone. TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 3

# The last checks of `make test`: 100 declarations through six faults (a killed service, a killed and restarted
# broker, a frozen relay leader, a gateway that forgets, a broker that loses its disk) on a three-broker cluster of
# its own, judged from the public topics; exit 1 on any loss, duplicate, bad sequence, fault not done or item not
# settled. Then a rolling upgrade to the next version under the same judge (accordeer/chaos/upgrade.py), and the
# restore drill: a backup of the whole database restored while the run goes on (accordeer/chaos/restore.py). After
# pytest, not in it: they share nothing with the suite, and their three brokers took the CPU its tests wait for.
SMALL_CHAOS := --small --declarations 100 --rate 10 --seed 3 --drain-timeout 120
SMALL_UPGRADE := --upgrade --declarations 400 --rate 10 --seed 4 --drain-timeout 180
SMALL_RESTORE := --restore --declarations 400 --rate 10 --seed 5 --drain-timeout 180

test: $(STAMP) browser lighthouse vendor-clients chart-tools image-verified
	@started=$$(date +%s); \
	$(MAKE) --no-print-directory check && \
	$(BIN)/accordeer stack fetch && \
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --basetemp=$(TEST_TMP) && \
	rm -rf $(TEST_TMP)-chaos && $(BIN)/python -m accordeer.chaos $(SMALL_CHAOS) --work-dir $(TEST_TMP)-chaos && \
	rm -rf $(TEST_TMP)-upgrade && $(BIN)/python -m accordeer.chaos $(SMALL_UPGRADE) --work-dir $(TEST_TMP)-upgrade && \
	rm -rf $(TEST_TMP)-restore && $(BIN)/python -m accordeer.chaos $(SMALL_RESTORE) --work-dir $(TEST_TMP)-restore; \
	status=$$?; echo "make test: $$(( $$(date +%s) - started )) s, exit $$status"; exit $$status

# The gates before any test: lint and layout (ruff), then types (mypy; strict for services/ and shared/), all
# configured in pyproject.toml. A finding fails `make test` in seconds instead of after the suite.
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The portal's browser tests drive Debian's headless Chromium; installed here when missing (needs root).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		{ echo "make test needs Chromium for the portal's browser tests: run 'apt-get install chromium' as root"; exit 1; }

# Node.js for Lighthouse and the AsyncAPI tooling, from Debian's packages when missing (needs root).
node:
	@command -v node >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; } || \
		{ echo "make test needs Node.js for Lighthouse and AsyncAPI: run 'apt-get install nodejs npm' as root"; exit 1; }

# Lighthouse for the portal's accessibility gate (tests/e2e/test_lighthouse.py), pinned, in the tools cache:
# 12.8.2 is the newest that runs on Node.js 20 (13 needs 22.19). Node.js from Debian's packages when missing.
LIGHTHOUSE_VERSION := 12.8.2
LIGHTHOUSE_DIR := $(TOOLS_CACHE)/lighthouse
lighthouse: node
	@grep -qs '"version": "$(LIGHTHOUSE_VERSION)"' $(LIGHTHOUSE_DIR)/node_modules/lighthouse/package.json || \
		npm install --silent --prefix $(LIGHTHOUSE_DIR) --no-audit --no-fund --save-exact lighthouse@$(LIGHTHOUSE_VERSION)

# The AsyncAPI tooling an external package's developer uses, pinned, in the tools cache: the CLI (validation, Java
# models), Modelina (TypeScript models) and TypeScript. About 1.5 GB and 3 minutes the first time.
ASYNCAPI_CLI_VERSION := 4.1.1
MODELINA_VERSION := 4.4.3
TYPESCRIPT_VERSION := 5.9.3
NODE_TYPES_VERSION := 20.19.25
ASYNCAPI_DIR := $(TOOLS_CACHE)/asyncapi
asyncapi: node
	@grep -qs '"version": "$(ASYNCAPI_CLI_VERSION)"' $(ASYNCAPI_DIR)/node_modules/@asyncapi/cli/package.json && \
		grep -qs '"version": "$(TYPESCRIPT_VERSION)"' $(ASYNCAPI_DIR)/node_modules/typescript/package.json || \
		npm install --silent --prefix $(ASYNCAPI_DIR) --no-audit --no-fund --save-exact \
			@asyncapi/cli@$(ASYNCAPI_CLI_VERSION) @asyncapi/modelina@$(MODELINA_VERSION) \
			typescript@$(TYPESCRIPT_VERSION) @types/node@$(NODE_TYPES_VERSION)
	@echo '{"analyticsEnabled": "false", "infoMessageShown": "true", "userID": "accordeer"}' > $(ASYNCAPI_DIR)/analytics.json

# Java and TypeScript clients generated from docs/asyncapi-vendor.yaml and compiled, with the Java example (Maven,
# from Maven Central the first time); the tests round-trip the document's examples through them.
vendor-clients: asyncapi
	@command -v mvn >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven default-jdk-headless >/dev/null; } || \
		{ echo "make test needs a JDK and Maven for the vendor example: run 'apt-get install default-jdk-headless maven' as root"; exit 1; }
	ASYNCAPI_DIR=$(ASYNCAPI_DIR) tools/vendor_clients/build.sh

# The deployment's tools, pinned, in the tools cache: helm and kubeconform built with the machine's Go (about 8
# minutes the first time, seconds with Go's build cache), the Kubernetes API's schemas made offline from the
# k8s.io/kubernetes module's OpenAPI document, and promtool from Debian's prometheus package (hadolint is a test
# dependency from PyPI). tests/integration/test_helm_chart.py lints, renders and validates the chart with them.
HELM_VERSION := v4.3.2
KUBECONFORM_VERSION := v0.8.0
KUBERNETES_VERSION := 1.34.2
TOOLS := $(TOOLS_CACHE)/tools
chart-tools: $(STAMP)
	@command -v go >/dev/null 2>&1 || { echo "make test needs Go 1.24 or newer to build helm and kubeconform (https://go.dev/dl/)"; exit 1; }
	@[ "$$(cat $(TOOLS)/helm.version 2>/dev/null)" = $(HELM_VERSION) ] || { \
		GOBIN=$(TOOLS)/bin go install helm.sh/helm/v4/cmd/helm@$(HELM_VERSION) && \
		echo $(HELM_VERSION) > $(TOOLS)/helm.version; }
	@[ "$$(cat $(TOOLS)/kubeconform.version 2>/dev/null)" = $(KUBECONFORM_VERSION) ] || { \
		GOBIN=$(TOOLS)/bin go install github.com/yannh/kubeconform/cmd/kubeconform@$(KUBECONFORM_VERSION) && \
		echo $(KUBECONFORM_VERSION) > $(TOOLS)/kubeconform.version; }
	@[ -s $(TOOLS)/kubernetes-schemas/v$(KUBERNETES_VERSION)/deployment-apps-v1.json ] || { \
		module=$$(cd /tmp && go mod download -json k8s.io/kubernetes@v$(KUBERNETES_VERSION) | \
			$(CURDIR)/$(BIN)/python -c 'import json, sys; print(json.load(sys.stdin)["Dir"])') && \
		$(BIN)/python tools/chart/kubernetes_schemas.py $$module/api/openapi-spec/swagger.json \
			$(TOOLS)/kubernetes-schemas/v$(KUBERNETES_VERSION); }
	@command -v promtool >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } || \
		{ echo "make test needs promtool: run 'apt-get install prometheus' as root"; exit 1; }

# The one image of every service, an OCI archive in .cache/image (deploy/image/build.sh: buildah as root, no Docker,
# no registry); prints its digest and size. image-verified builds it twice and fails unless both digests agree.
image: $(STAMP)
	deploy/image/build.sh

image-verified: $(STAMP)
	deploy/image/build.sh --verify

unit: $(STAMP)
	$(BIN)/pytest tests/unit

# The whole stack against the raw limits of the same run, at light loads and idle (benchmarks/pipeline.py says what
# and how long); tables, JSON, chart and the README's capacity figures under .cache/bench/. Options: ARGS="--quick",
# ARGS="--rounds 1 --loads 50,100", ARGS="--readme" (writes the figures into README.md too).
bench: $(STAMP)
	@$(BIN)/python -c 'import matplotlib' 2>/dev/null && [ -x $(BIN)/py-spy ] || $(BIN)/pip install --quiet -e '.[test,local,bench]'
	$(BIN)/accordeer stack fetch
	$(BIN)/python -m benchmarks.pipeline $(ARGS)

# Where each service spends its CPU under a steady load: py-spy's top functions per service, and folded stacks
# for flame graphs, under .cache/profile/. Options: ARGS="--rate 100 --seconds 30".
profile: $(STAMP)
	@[ -x $(BIN)/py-spy ] || $(BIN)/pip install --quiet -e '.[test,local,bench]'
	$(BIN)/accordeer stack fetch
	$(BIN)/python -m benchmarks.profile $(ARGS)

# The whole system on a three-broker cluster under faults (SIGKILL, SIGSTOP, broker and PostgreSQL restarts,
# gateway outages, a slow and lossy link to one broker); prints the checker's table, writes it under .cache/chaos/
# and exits 1 on any loss, duplicate or invalid status sequence. Options: ARGS="--declarations 500 --seed 2".
chaos: $(STAMP)
	$(BIN)/accordeer stack fetch
	$(BIN)/python -m accordeer.chaos $(ARGS)

# The chaos run held for an hour at a steady rate, a fault every three minutes, sampled each minute (memory and open
# files per process, table sizes and dead rows, outbox depth, lag, p99 publish->80); the checker's table, the
# soak's rules (accordeer/soak/judge.py), a chart and a JSON summary under .cache/soak/. Not part of make test.
# Options: ARGS="--minutes 10 --rate 20 --fault-every 2" (default: 60 minutes at 50 a second).
soak: $(STAMP)
	@$(BIN)/python -c 'import matplotlib' 2>/dev/null || $(BIN)/pip install --quiet -e '.[test,local,bench]'
	$(BIN)/accordeer stack fetch
	$(BIN)/python -m accordeer.soak $(ARGS)

wipe: $(STAMP)
	$(BIN)/accordeer wipe

# The checkout's own: the venv and .cache/. The machine's tools cache ($(TOOLS_CACHE)) stays for every checkout.
clean:
	rm -rf $(VENV) .cache
