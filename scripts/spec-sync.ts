// `npm run spec:sync [-- --version X] [-- --check] [-- --keep-temp]`: installs that opencode-ai
// release from the npm registry into a temporary folder, runs `opencode serve` on a free loopback
// port with an isolated HOME, downloads /doc exactly as served, and writes it to spec/ with
// spec/upstream.json, printing what changed. --check writes nothing and fails on a difference.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { SPEC_DIR, UPSTREAM_SPEC_PATH } from "../src/contract/served-spec.js";
import { diffSpecs, formatDiff, listOperations } from "./lib/spec-diff.js";
import { freePort } from "../src/net/free-port.js";

const UPSTREAM_JSON = path.join(SPEC_DIR, "upstream.json");

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The platform binary of the package: opencode-<platform>-<arch>[-baseline]/bin/opencode. */
function findBinary(modules: string): string {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const candidates = [
    `opencode-${platform}-${process.arch}`,
    `opencode-${platform}-${process.arch}-baseline`,
    ...readdirSync(modules).filter((n) => n.startsWith("opencode-")),
  ];
  for (const name of candidates) {
    const binary = path.join(modules, name, "bin", "opencode");
    if (existsSync(binary)) return binary;
  }
  throw new Error(`no opencode binary for ${platform}-${process.arch} under ${modules}`);
}

function install(version: string, folder: string): string {
  writeFileSync(path.join(folder, "package.json"), JSON.stringify({ name: "opencode-spec-sync", private: true }));
  // The wrapper's postinstall only links the platform binary, which we run directly.
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", `opencode-ai@${version}`], {
    cwd: folder,
    stdio: "inherit",
  });
  return findBinary(path.join(folder, "node_modules"));
}

async function downloadDoc(url: string, child: ChildProcess, deadline: number): Promise<string> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`opencode serve exited with ${child.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (res.ok) return await res.text();
      lastError = new Error(`GET /doc answered ${res.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no /doc within the time limit: ${String(lastError)}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const killed = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(killed);
}

async function fetchUpstreamDoc(version: string, keepTemp: boolean): Promise<string> {
  const temp = mkdtempSync(path.join(os.tmpdir(), "agentpool-spec-sync-"));
  const home = path.join(temp, "home");
  const project = path.join(temp, "project");
  for (const dir of [home, project]) mkdirSync(dir, { recursive: true });
  let child: ChildProcess | undefined;
  try {
    const binary = install(version, temp);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, ".config"),
      XDG_DATA_HOME: path.join(home, ".local", "share"),
      XDG_STATE_HOME: path.join(home, ".local", "state"),
      XDG_CACHE_HOME: path.join(home, ".cache"),
      OPENCODE_DISABLE_AUTOUPDATE: "1",
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      OPENCODE_DISABLE_SHARE: "1",
    };
    console.log(`starting ${binary} serve on 127.0.0.1:${port}`);
    child = spawn(binary, ["serve", "--port", String(port), "--hostname", "127.0.0.1"], {
      cwd: project,
      env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    return await downloadDoc(`http://127.0.0.1:${port}/doc`, child, Date.now() + 90_000);
  } finally {
    if (child) await stop(child);
    if (keepTemp) console.log(`kept ${temp}`);
    else rmSync(temp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { version: { type: "string" }, check: { type: "boolean" }, "keep-temp": { type: "boolean" } } });
  const pinned = JSON.parse(readFileSync(UPSTREAM_JSON, "utf8")) as { package: string; version: string; sha256: string };
  const version = values.version ?? pinned.version;
  const previous = readFileSync(UPSTREAM_SPEC_PATH, "utf8");
  const served = await fetchUpstreamDoc(version, values["keep-temp"] ?? false);
  const doc = JSON.parse(served) as { components?: { schemas?: Record<string, unknown> } };
  console.log(
    `\nopencode-ai@${version} /doc: ${served.length} bytes, sha256 ${sha256(served)} (pinned: ${pinned.version}, ${pinned.sha256})`,
  );
  console.log(formatDiff(diffSpecs(JSON.parse(previous), doc)));
  if (values.check) {
    if (served !== previous) {
      console.error("\nthe served document differs from spec/opencode.openapi.json");
      process.exit(1);
    }
    console.log("\nspec/opencode.openapi.json is byte-for-byte what upstream serves");
    return;
  }
  writeFileSync(UPSTREAM_SPEC_PATH, served);
  const record = {
    package: "opencode-ai",
    version,
    sha256: sha256(served),
    operations: listOperations(doc).length,
    schemas: Object.keys(doc.components?.schemas ?? {}).length,
    syncedAt: new Date().toISOString(),
  };
  writeFileSync(UPSTREAM_JSON, `${JSON.stringify(record, null, 2)}\n`);
  console.log(
    `\nwrote spec/opencode.openapi.json and spec/upstream.json${served === previous ? " (unchanged)" : ": now run `npm run generate` and `npm run coverage`"}`,
  );
}

await main();
