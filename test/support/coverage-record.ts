// The record `npm run coverage` turns into ENDPOINTS.md: which test file called which operation,
// and with which statuses. Each test file writes its own JSON file, so parallel files never race.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const COVERAGE_RECORD_DIR = fileURLToPath(new URL("../../.coverage-record/", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** operationId -> statuses seen, for one test file. */
export type FileRecord = Record<string, number[]>;

export class CoverageRecorder {
  private readonly seen = new Map<string, Set<number>>();

  constructor(private readonly testFile: string) {}

  observe = (operationId: string, status: number): void => {
    let statuses = this.seen.get(operationId);
    if (!statuses) this.seen.set(operationId, (statuses = new Set()));
    statuses.add(status);
  };

  /** Adds what this recorder saw to the test file's record on disk. */
  flush(): void {
    if (this.seen.size === 0) return;
    const relative = path.relative(ROOT, this.testFile).split(path.sep).join("/");
    const file = path.join(COVERAGE_RECORD_DIR, `${relative.replace(/[^A-Za-z0-9.-]+/g, "_")}.json`);
    mkdirSync(COVERAGE_RECORD_DIR, { recursive: true });
    const record: { testFile: string; operations: FileRecord } = existsSync(file)
      ? JSON.parse(readFileSync(file, "utf8"))
      : { testFile: relative, operations: {} };
    for (const [operationId, statuses] of this.seen) {
      record.operations[operationId] = [...new Set([...(record.operations[operationId] ?? []), ...statuses])].sort();
    }
    writeFileSync(file, JSON.stringify(record, null, 2));
    this.seen.clear();
  }
}
