// Runs once per `vitest run`: starts the coverage record afresh.
import { rmSync } from "node:fs";
import { COVERAGE_RECORD_DIR } from "./coverage-record.js";

export default function setup(): void {
  rmSync(COVERAGE_RECORD_DIR, { recursive: true, force: true });
}
