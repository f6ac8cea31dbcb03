// Temporary folders for tests, removed after each test file (test/support/setup.ts).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const made: string[] = [];

export function makeTempDir(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `agentpool-${name}-`));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
