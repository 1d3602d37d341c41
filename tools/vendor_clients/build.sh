#!/usr/bin/env bash
# Clients of the vendor document, as an external package's developer makes them (`make vendor-clients`): Java models
# with the AsyncAPI CLI into the Java example, TypeScript models with Modelina, both compiled. The tests then
# round-trip every example of the document through them and run the Java example against the test stack.
set -euo pipefail
cd "$(dirname "$0")/../.."
document=docs/asyncapi-vendor.yaml
tools=${ASYNCAPI_DIR:-${ACCORDEER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/accordeer}/asyncapi}
out=.cache/vendor-clients
java_models=examples/java-vendor/target/generated-sources/accordeer/nl/accordeer/contract
export ASYNCAPI_METRICS_CONFIG_PATH="$tools/analytics.json"  # the CLI's usage reporting: off, and no network

rm -rf "$out" "$java_models"
mkdir -p "$out/typescript"
"$tools/node_modules/.bin/asyncapi" generate models java "$document" -o "$java_models" \
	--packageName nl.accordeer.contract --javaJackson --javaArrayType List --javaIncludeComments --no-interactive \
	> "$out/java-models.log" 2>&1 || { cat "$out/java-models.log"; exit 1; }
ASYNCAPI_DIR="$tools" node tools/vendor_clients/typescript-models.mjs "$document" "$out/typescript/models"
cp tools/vendor_clients/roundtrip.ts tools/vendor_clients/tsconfig.json "$out/typescript/"
"$tools/node_modules/.bin/tsc" -p "$out/typescript" --typeRoots "$tools/node_modules/@types"
# Quiet Maven still prints colour resets (Debian's 3.8): its output is shown only when it fails.
mvn -q -B -f examples/java-vendor/pom.xml compile > "$out/maven.log" 2>&1 || { cat "$out/maven.log"; exit 1; }
sha256sum "$document" | cut -d' ' -f1 > "$out/built-from.sha256"
echo "vendor clients: Java ($(ls "$java_models" | wc -l) models, example compiled) and TypeScript, in $out"
