// `npm run coverage`: writes ENDPOINTS.md from the served spec, the server's real handler table
// and the record the last test run left in .coverage-record/ (which test file called which
// operation, with which statuses). `npm run coverage -- --check` exits 1 when ENDPOINTS.md is stale.
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { operations, UPSTREAM_OPERATION_COUNT } from "../generated/operations.js";
import { handlers } from "../src/handlers/index.js";
import { COVERAGE_RECORD_DIR } from "../test/support/coverage-record.js";
import { renderEndpoints, type TestEvidence } from "./lib/endpoints.js";

const ENDPOINTS_FILE = fileURLToPath(new URL("../ENDPOINTS.md", import.meta.url));

function readEvidence(): TestEvidence {
  const evidence: TestEvidence = new Map();
  if (!existsSync(COVERAGE_RECORD_DIR)) return evidence;
  for (const name of readdirSync(COVERAGE_RECORD_DIR).filter((n) => n.endsWith(".json"))) {
    const record = JSON.parse(readFileSync(path.join(COVERAGE_RECORD_DIR, name), "utf8")) as {
      testFile: string;
      operations: Record<string, number[]>;
    };
    for (const [operationId, statuses] of Object.entries(record.operations)) {
      let files = evidence.get(operationId);
      if (!files) evidence.set(operationId, (files = new Map()));
      files.set(record.testFile, statuses);
    }
  }
  return evidence;
}

const text = renderEndpoints({
  operations,
  implemented: new Set(Object.keys(handlers)),
  evidence: readEvidence(),
  upstreamCount: UPSTREAM_OPERATION_COUNT,
});

if (process.argv.includes("--check")) {
  const current = existsSync(ENDPOINTS_FILE) ? readFileSync(ENDPOINTS_FILE, "utf8") : "";
  if (current !== text) {
    console.error("ENDPOINTS.md is stale: run `npm test`, then `npm run coverage`, and commit ENDPOINTS.md.");
    process.exit(1);
  }
  console.log("ENDPOINTS.md is up to date");
} else {
  writeFileSync(ENDPOINTS_FILE, text);
  console.log(`wrote ENDPOINTS.md (${text.split("\n")[4]})`);
}
