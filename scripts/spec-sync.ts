// `npm run spec:sync [-- --version X] [-- --check] [-- --keep-temp]`: installs that opencode-ai
// release from the npm registry into a temporary folder (or takes node_modules' when it is that one), runs `opencode serve` on a free loopback
// port with an isolated HOME, downloads /doc exactly as served and the provider catalogue
// (/provider, /provider/auth; see scripts/lib/catalogue-record.ts) with what the v2 model list
// (/api/model) adds to it (scripts/lib/models-v2-record.ts), and writes them to spec/ with
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
import { connectedForms, envMarker, envNames, jsonLines, type ProviderList } from "./lib/catalogue-record.js";
import { modelsV2Forms } from "./lib/models-v2-record.js";
import type { ModelV2Info } from "../generated/schemas.js";

const CATALOGUE_DIR = path.join(SPEC_DIR, "catalogue");

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
  // The release the project depends on is already here: no download needed.
  const local = path.join(process.cwd(), "node_modules");
  const installed = path.join(local, "opencode-ai", "package.json");
  if (existsSync(installed) && (JSON.parse(readFileSync(installed, "utf8")) as { version: string }).version === version) {
    return findBinary(local);
  }
  writeFileSync(path.join(folder, "package.json"), JSON.stringify({ name: "opencode-spec-sync", private: true }));
  // The wrapper's postinstall only links the platform binary, which we run directly.
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", `opencode-ai@${version}`], {
    cwd: folder,
    stdio: "inherit",
  });
  return findBinary(path.join(folder, "node_modules"));
}

/**
 * Upstream builds its v2 catalogue on a directory's first /api request and answers an empty list
 * until it is there: a v2 list counts once it is not empty and the same twice in a row.
 */
function settled(url: string, text: string, previous: string | undefined): boolean {
  if (!new URL(url).pathname.startsWith("/api/")) return true;
  return (JSON.parse(text) as { data: unknown[] }).data.length > 0 && text === previous;
}

async function download(url: string, child: ChildProcess, deadline: number): Promise<string> {
  let lastError: unknown;
  let previous: string | undefined;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`opencode serve exited with ${child.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      if (res.ok) {
        const text = await res.text();
        if (settled(url, text, previous)) return text;
        previous = text;
        lastError = new Error(`GET ${url} is not settled yet`);
      } else lastError = new Error(`GET ${url} answered ${res.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no ${url} within the time limit: ${String(lastError)}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const killed = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(killed);
}

interface Recording {
  doc: string;
  providers: ProviderList;
  connected: ProviderList;
  auth: unknown;
  /** GET /api/model of each run (no key; every key). */
  models: { plain: ModelV2Info[]; connected: ModelV2Info[] };
}

/** Runs `opencode serve` in an isolated home with `extraEnv` and downloads `paths`, in order. */
async function serveAndDownload(binary: string, temp: string, name: string, extraEnv: Record<string, string>, paths: string[]) {
  const home = path.join(temp, `home-${name}`);
  const project = path.join(temp, "project");
  for (const dir of [home, project]) mkdirSync(dir, { recursive: true });
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
    ...extraEnv,
  };
  console.log(`starting ${binary} serve on 127.0.0.1:${port} (${name})`);
  const child = spawn(binary, ["serve", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: project,
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  try {
    const answers: string[] = [];
    for (const route of paths) answers.push(await download(`http://127.0.0.1:${port}${route}`, child, Date.now() + 90_000));
    return answers;
  } finally {
    await stop(child);
  }
}

/**
 * The served document and the provider catalogue: once with no key anywhere, once with every key
 * variable the catalogue names set to a marker (how upstream connects each provider from the environment).
 */
async function recordUpstream(version: string, keepTemp: boolean): Promise<Recording> {
  const temp = mkdtempSync(path.join(os.tmpdir(), "agentpool-spec-sync-"));
  try {
    const binary = install(version, temp);
    const [doc, providers, auth, plainModels] = await serveAndDownload(binary, temp, "plain", {}, [
      "/doc",
      "/provider",
      "/provider/auth",
      "/api/model",
    ]);
    const plain = JSON.parse(providers!) as ProviderList;
    const markers = Object.fromEntries(envNames(plain).map((name) => [name, envMarker(name)]));
    const [connected, connectedModels] = await serveAndDownload(binary, temp, "keys", markers, ["/provider", "/api/model"]);
    const list = (text: string) => (JSON.parse(text) as { data: ModelV2Info[] }).data;
    return {
      doc: doc!,
      providers: plain,
      connected: JSON.parse(connected!) as ProviderList,
      auth: JSON.parse(auth!),
      models: { plain: list(plainModels!), connected: list(connectedModels!) },
    };
  } finally {
    if (keepTemp) console.log(`kept ${temp}`);
    else rmSync(temp, { recursive: true, force: true });
  }
}

/** spec/catalogue/: the files the server loads its provider catalogue from. */
function catalogueFiles(recording: Recording): Record<string, string> {
  return {
    "providers.jsonl": jsonLines(recording.providers.all),
    "connected.jsonl": jsonLines(connectedForms(recording.providers, recording.connected)),
    "provider-auth.json": `${JSON.stringify(recording.auth, null, 2)}\n`,
    // Providers upstream connects with no key at all (OpenCode Zen's free models).
    "keyless.json": `${JSON.stringify(recording.providers.connected)}\n`,
    // What the v2 model list (/api/model) answers beyond /provider, per connected provider.
    "models-v2.jsonl": jsonLines([
      ...modelsV2Forms(recording.providers, recording.providers, recording.models.plain, "keyless"),
      ...modelsV2Forms(recording.providers, recording.connected, recording.models.connected, "env"),
    ]),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { version: { type: "string" }, check: { type: "boolean" }, "keep-temp": { type: "boolean" } } });
  const pinned = JSON.parse(readFileSync(UPSTREAM_JSON, "utf8")) as { package: string; version: string; sha256: string };
  const version = values.version ?? pinned.version;
  const previous = readFileSync(UPSTREAM_SPEC_PATH, "utf8");
  const recording = await recordUpstream(version, values["keep-temp"] ?? false);
  const served = recording.doc;
  const catalogue = catalogueFiles(recording);
  const catalogueSame = Object.entries(catalogue).every(
    ([name, text]) => existsSync(path.join(CATALOGUE_DIR, name)) && readFileSync(path.join(CATALOGUE_DIR, name), "utf8") === text,
  );
  const doc = JSON.parse(served) as { components?: { schemas?: Record<string, unknown> } };
  console.log(
    `\nopencode-ai@${version} /doc: ${served.length} bytes, sha256 ${sha256(served)} (pinned: ${pinned.version}, ${pinned.sha256})`,
  );
  console.log(formatDiff(diffSpecs(JSON.parse(previous), doc)));
  if (values.check) {
    if (served !== previous || !catalogueSame) {
      console.error(
        `\n${served !== previous ? "the served document differs from spec/opencode.openapi.json" : "the provider catalogue differs from spec/catalogue/"}`,
      );
      process.exit(1);
    }
    console.log(
      `\nspec/opencode.openapi.json is byte-for-byte what upstream serves; spec/catalogue/ is its catalogue (${recording.providers.all.length} providers)`,
    );
    return;
  }
  writeFileSync(UPSTREAM_SPEC_PATH, served);
  mkdirSync(CATALOGUE_DIR, { recursive: true });
  for (const [name, text] of Object.entries(catalogue)) writeFileSync(path.join(CATALOGUE_DIR, name), text);
  const record = {
    package: "opencode-ai",
    version,
    sha256: sha256(served),
    operations: listOperations(doc).length,
    schemas: Object.keys(doc.components?.schemas ?? {}).length,
    catalogue: {
      providers: recording.providers.all.length,
      models: recording.providers.all.reduce((n, p) => n + Object.keys(p.models).length, 0),
      sha256: Object.fromEntries(Object.entries(catalogue).map(([name, text]) => [name, sha256(text)])),
    },
    syncedAt: new Date().toISOString(),
  };
  writeFileSync(UPSTREAM_JSON, `${JSON.stringify(record, null, 2)}\n`);
  console.log(
    `\nwrote spec/opencode.openapi.json, spec/catalogue/ and spec/upstream.json${served === previous ? " (unchanged)" : ": now run `npm run generate` and `npm run coverage`"}`,
  );
}

await main();
