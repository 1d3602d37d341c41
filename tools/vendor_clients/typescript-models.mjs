// TypeScript models of the vendor document, with Modelina (the library the AsyncAPI CLI runs): classes with
// marshal()/unmarshal(), and maps as plain records. The CLI offers no map-type flag and gives `Map`, which
// JSON.stringify writes as {}: a declaration built in code with characteristics would lose them.
// Usage: ASYNCAPI_DIR=<the tools> node typescript-models.mjs <asyncapi document> <output folder>; Modelina from
// $ASYNCAPI_DIR/node_modules (build.sh sets it).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";

const require = createRequire(resolve(process.env.ASYNCAPI_DIR, "node_modules") + "/");
const { TypeScriptFileGenerator, TS_COMMON_PRESET } = require("@asyncapi/modelina");

const [document, output] = process.argv.slice(2);
const generator = new TypeScriptFileGenerator({
  modelType: "class",
  enumType: "enum",
  mapType: "record",
  moduleSystem: "ESM",
  presets: [{ preset: TS_COMMON_PRESET, options: { marshalling: true } }],
});
const models = await generator.generateToFiles(readFileSync(document, "utf8"), output, { exportType: "named" });
console.log(`TypeScript models: ${models.map((model) => model.modelName).join(", ")}`);
