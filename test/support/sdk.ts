// The JS SDK clients tests use (`sdkV1`, `sdkV2`), recording which of their methods each test
// file called. `npm run coverage` compares that record with every method the clients expose
// (ENDPOINTS.md, "JS SDK methods"), so a method the SDK gains in an upgrade cannot go untested
// unnoticed.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createOpencodeClient as createV1Client } from "@opencode-ai/sdk";
import { createOpencodeClient as createV2Client } from "@opencode-ai/sdk/v2";
import { expect } from "vitest";
import { COVERAGE_RECORD_DIR } from "./coverage-record.js";

import { recordCalls } from "./sdk-methods.js";

export type SdkGeneration = "v1" | "v2";

const called: Record<SdkGeneration, Set<string>> = { v1: new Set(), v2: new Set() };

/** The default (v1) client of @opencode-ai/sdk, its calls recorded. */
export function sdkV1(options: Parameters<typeof createV1Client>[0]) {
  return recordCalls(createV1Client(options), called.v1);
}

/** The client of @opencode-ai/sdk/v2, its calls recorded. */
export function sdkV2(options: Parameters<typeof createV2Client>[0]) {
  return recordCalls(createV2Client(options), called.v2);
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Writes this test file's SDK calls next to its operation record (run after each test file). */
export function flushSdkCalls(): void {
  if (called.v1.size + called.v2.size === 0) return;
  const testFile = path
    .relative(ROOT, expect.getState().testPath ?? "unknown")
    .split(path.sep)
    .join("/");
  mkdirSync(COVERAGE_RECORD_DIR, { recursive: true });
  const record = { testFile, sdk: { v1: [...called.v1].sort(), v2: [...called.v2].sort() } };
  writeFileSync(path.join(COVERAGE_RECORD_DIR, `${testFile.replace(/[^A-Za-z0-9.-]+/g, "_")}.sdk.json`), JSON.stringify(record, null, 2));
}
