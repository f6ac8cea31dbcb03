// `npm run generate`: writes generated/ from the served spec (upstream + overlays).
// `npm run generate -- --check`: writes nothing; exits 1 when generated/ is not what the spec gives.
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { listSpecOperations, loadServedSpec } from "../src/contract/served-spec.js";
import { GENERATED_HEADER, renderHandlers, renderOperations, renderSchemas, renderStubs } from "./lib/codegen.js";
import { renderValidatorFiles } from "../src/contract/validator-code.js";
import { createAjv } from "../src/contract/validation.js";

const OUT_DIR = fileURLToPath(new URL("../generated/", import.meta.url));

async function renderTypes(): Promise<string> {
  // openapi-typescript keys every type by its original schema name (components["schemas"]["session.status"]),
  // so no two schemas can collapse into one here; schemas.ts adds the named aliases.
  // emptyObjectsUnknown: a schema `{"type":"object"}` is any object (Record<string, unknown>), not an empty one.
  const ast = await openapiTS(structuredClone(loadServedSpec()) as never, { alphabetize: false, emptyObjectsUnknown: true });
  return `${GENERATED_HEADER}/* eslint-disable */\n${astToString(ast)}`;
}

async function renderAll(): Promise<Map<string, string>> {
  const doc = loadServedSpec();
  const ops = listSpecOperations(doc);
  return new Map([
    ["types.ts", await renderTypes()],
    ["schemas.ts", renderSchemas(doc)],
    ["operations.ts", renderOperations(ops)],
    ["handlers.ts", renderHandlers(ops)],
    ["stubs.ts", renderStubs(ops)],
    // Ahead-of-time validators (Ajv standalone code) of the component schemas checked on most runs.
    ...renderValidatorFiles(doc, createAjv, GENERATED_HEADER),
  ]);
}

function staleFiles(files: Map<string, string>): string[] {
  const stale = [...files].filter(([name, text]) => {
    const file = path.join(OUT_DIR, name);
    return !existsSync(file) || readFileSync(file, "utf8") !== text;
  });
  const extra = existsSync(OUT_DIR) ? readdirSync(OUT_DIR).filter((name) => !files.has(name)) : [];
  return [...stale.map(([name]) => name), ...extra.map((name) => `${name} (not generated)`)];
}

async function main(): Promise<void> {
  const files = await renderAll();
  if (process.argv.includes("--check")) {
    const stale = staleFiles(files);
    if (stale.length) {
      console.error(`generated/ is stale: ${stale.join(", ")}. Run \`npm run generate\` and commit the result.`);
      process.exit(1);
    }
    console.log(`generated/ is up to date (${files.size} files)`);
    return;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, text] of files) writeFileSync(path.join(OUT_DIR, name), text);
  console.log(`wrote ${[...files.keys()].map((n) => `generated/${n}`).join(", ")}`);
}

await main();
