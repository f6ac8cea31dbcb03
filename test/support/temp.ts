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
  // A child process (an external agent) may still be writing as it exits: retry, then leave it to the OS.
  for (const dir of made.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch {
      // a temp folder left behind is harmless
    }
  }
}
