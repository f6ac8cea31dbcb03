// Runs in every test file: a private HOME and XDG folders (no test reads or writes the user's
// own config, data or logs), no provider key from the machine's environment (providers connect
// only where a test gives a key), and the temp folders and SDK call record handled at the end.
import { mkdirSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { upstreamCatalogue } from "../../src/provider/catalogue.js";
import { flushSdkCalls } from "./sdk.js";
import { removeTempDirs } from "./temp.js";

const home = mkdtempSync(path.join(os.tmpdir(), "agentpool-test-home-"));
process.env.HOME = home;
for (const [name, folder] of [
  ["XDG_CONFIG_HOME", ".config"],
  ["XDG_DATA_HOME", ".local/share"],
  ["XDG_STATE_HOME", ".local/state"],
  ["XDG_CACHE_HOME", ".cache"],
] as const) {
  process.env[name] = path.join(home, folder);
  mkdirSync(process.env[name]!, { recursive: true });
}
for (const provider of upstreamCatalogue().providers.index) for (const name of provider.env) delete process.env[name];
delete process.env.OPENCODE_CONFIG;
delete process.env.OPENCODE_CONFIG_CONTENT;

afterAll(() => {
  flushSdkCalls();
  removeTempDirs();
});
