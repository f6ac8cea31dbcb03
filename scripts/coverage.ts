// `npm run coverage`: writes ENDPOINTS.md from the served spec, the server's real handler table
// and the record the last test run left in .coverage-record/ (which test file called which
// operation, with which statuses). `npm run coverage -- --check` exits 1 when ENDPOINTS.md is stale.
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { operations, UPSTREAM_OPERATION_COUNT } from "../generated/operations.js";
import { handlers } from "../src/handlers/index.js";
import { createOpencodeClient as createV1Client } from "@opencode-ai/sdk";
import { createOpencodeClient as createV2Client } from "@opencode-ai/sdk/v2";
import { COVERAGE_RECORD_DIR } from "../test/support/coverage-record.js";
import { listSdkMethods } from "../test/support/sdk-methods.js";
import { renderEndpoints, type SdkEvidence, type TestEvidence } from "./lib/endpoints.js";

const ENDPOINTS_FILE = fileURLToPath(new URL("../ENDPOINTS.md", import.meta.url));

function readEvidence(): TestEvidence {
  const evidence: TestEvidence = new Map();
  if (!existsSync(COVERAGE_RECORD_DIR)) return evidence;
  for (const name of readdirSync(COVERAGE_RECORD_DIR).filter((n) => n.endsWith(".json") && !n.endsWith(".sdk.json"))) {
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

/** generation -> SDK method -> test files that called it. */
function readSdkEvidence(): SdkEvidence {
  const evidence: SdkEvidence = { v1: new Map(), v2: new Map() };
  if (!existsSync(COVERAGE_RECORD_DIR)) return evidence;
  for (const name of readdirSync(COVERAGE_RECORD_DIR).filter((n) => n.endsWith(".sdk.json"))) {
    const record = JSON.parse(readFileSync(path.join(COVERAGE_RECORD_DIR, name), "utf8")) as {
      testFile: string;
      sdk: Record<"v1" | "v2", string[]>;
    };
    for (const generation of ["v1", "v2"] as const) {
      for (const method of record.sdk[generation]) {
        const files = evidence[generation].get(method) ?? [];
        evidence[generation].set(method, [...files, record.testFile].sort());
      }
    }
  }
  return evidence;
}

const sdkMethods = {
  v1: listSdkMethods(createV1Client({ baseUrl: "http://127.0.0.1" })),
  v2: listSdkMethods(createV2Client({ baseUrl: "http://127.0.0.1" })),
};

const text = renderEndpoints({
  operations,
  implemented: new Set(Object.keys(handlers)),
  evidence: readEvidence(),
  upstreamCount: UPSTREAM_OPERATION_COUNT,
  sdk: { methods: sdkMethods, evidence: readSdkEvidence() },
});

if (process.argv.includes("--check")) {
  // Every method of both JS SDK clients must be called by some test (the clients' promise).
  const sdkEvidence = readSdkEvidence();
  const uncalled = (["v1", "v2"] as const).flatMap((g) => sdkMethods[g].filter((m) => !sdkEvidence[g].has(m)).map((m) => `${g} ${m}`));
  if (uncalled.length) {
    console.error(`JS SDK methods no test calls: ${uncalled.join(", ")}`);
    process.exit(1);
  }
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
