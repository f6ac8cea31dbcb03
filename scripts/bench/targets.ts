// The servers the benchmark compares, each started as its own process with an isolated HOME and
// XDG_* folders on a free loopback port: ours (node on the built dist/, no TypeScript at run time)
// and, when installed, the real upstream `opencode serve`.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const OPENCODE_BIN = path.join(ROOT, "node_modules", ".bin", "opencode");
const OURS_MAIN = path.join(ROOT, "dist", "src", "main.js");

/** The text every scripted reply carries, the same for both servers (about 700 bytes per answer). */
export const REPLY_TEXT = `Benchmark reply. ${"The quick brown fox jumps over the lazy dog. ".repeat(14)}`.trim();

/** The words that make both scripted models answer with a tool call (the pool prompt contains them). */
export const POOL_MATCH = "pool turn";
/** The file the pool's tool calls read, in each served project. */
export const POOL_FILE_NAME = "pool.txt";

function writePoolFile(project: string): void {
  writeFileSync(path.join(project, POOL_FILE_NAME), "The file the benchmark's pool of sessions reads.\n".repeat(20));
}

export interface Target {
  name: "ours" | "upstream";
  url: string;
  pid: number;
  /** From spawn to the first 200 of GET /global/health. */
  startupMs: number;
  /** The project directory the server serves by default. */
  project: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", () => resolve()));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const scratchDirs: string[] = [];

export function scratch(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `agentpool-bench-${name}-`));
  scratchDirs.push(dir);
  return dir;
}

export function removeScratch(): void {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
}

function isolatedEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_DATA_HOME: path.join(home, ".local", "share"),
    XDG_STATE_HOME: path.join(home, ".local", "state"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    TERM: "dumb",
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    OPENCODE_DISABLE_SHARE: "1",
    ...extra,
  };
}

function git(project: string): void {
  mkdirSync(project, { recursive: true });
  execFileSync("git", ["init", "-q", project], { stdio: "ignore" });
}

async function waitHealthy(url: string, child: ChildProcess, started: number, output: () => string): Promise<number> {
  const deadline = started + 60_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output()}`);
    // A connection accepted before the server is ready may never be answered: retry it.
    const ok = await fetch(`${url}/global/health`, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no answer from ${url} within 60 s:\n${output()}`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
}

async function launch(
  name: Target["name"],
  command: string,
  args: (port: number) => string[],
  cwd: string,
  env: Record<string, string>,
): Promise<Target> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(command, args(port), { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out = (out + d).slice(-20_000)));
  child.stderr!.on("data", (d: Buffer) => (out = (out + d).slice(-20_000)));
  const guard = () => child.kill("SIGKILL");
  process.once("exit", guard);
  child.once("exit", () => process.off("exit", guard));
  const startupMs = await waitHealthy(url, child, started, () => out);
  return { name, url, pid: child.pid!, startupMs, project: cwd, stop: stopper(child) };
}

export interface StartOptions {
  /** The loopback fake model (OpenAI-compatible, ends in /v1): upstream's model; ours has it as `fake` beside its scripted one. */
  llmUrl?: string;
  /** Extra environment (the validation switch of the benchmark). */
  env?: Record<string, string>;
  /** Options for node before the script (ours only), e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** More options of `agentpool serve` (ours only), e.g. --database. */
  serveArgs?: string[];
  /** Serve this project (made by an earlier startOurs: the nodes of a pool share it) instead of a new one. */
  project?: string;
}

/** Ours: node on dist/src/main.js, the built-in scripted provider answering REPLY_TEXT at once. */
export async function startOurs(options: StartOptions = {}): Promise<Target> {
  const home = scratch("ours");
  const project = options.project ?? makeOursProject(home, options.llmUrl);
  return launch(
    "ours",
    process.execPath,
    (port) => [
      ...(options.nodeArgs ?? []),
      OURS_MAIN,
      "serve",
      "--port",
      String(port),
      "--hostname",
      "127.0.0.1",
      "--project",
      project,
      ...(options.serveArgs ?? []),
    ],
    project,
    isolatedEnv(home, options.env),
  );
}

/** A project whose opencode.json points at the built-in scripted provider, with the pool's file. */
function makeOursProject(home: string, llmUrl: string | undefined): string {
  const project = path.join(home, "project");
  git(project);
  writePoolFile(project);
  // The pool's prompt (scripts/bench/pool.ts): one tool call, then the reply; any other prompt: the reply.
  const rules = [
    { match: POOL_MATCH, steps: [{ tool: "read", input: { filePath: POOL_FILE_NAME } }, { text: REPLY_TEXT }] },
    { steps: [{ text: REPLY_TEXT }] },
  ];
  writeFileSync(path.join(project, "bench-script.json"), JSON.stringify({ chunkDelayMs: 0, rules }));
  writeFileSync(
    path.join(project, "opencode.json"),
    JSON.stringify({
      model: "scripted/bench",
      small_model: "scripted/bench",
      provider: {
        scripted: { options: { script: "./bench-script.json" }, models: { bench: {} } },
        // Upstream's model too, for the measurements that compare the two on the same HTTP model.
        ...(llmUrl ? fakeProvider(llmUrl) : {}),
      },
    }),
  );
  return project;
}

/** The loopback fake model as an OpenAI-compatible provider `fake`, model `fake-model` (FAKE_MODEL). */
function fakeProvider(baseURL: string) {
  return {
    fake: {
      npm: "@ai-sdk/openai-compatible",
      name: "Fake LLM",
      options: { baseURL, apiKey: "sk-fake" },
      models: { "fake-model": { name: "Fake Model", tool_call: true, limit: { context: 128000, output: 4096 } } },
    },
  };
}

/** The model of fakeProvider, as a prompt names it. */
export const FAKE_MODEL = { providerID: "fake", modelID: "fake-model" };

export function upstreamInstalled(): boolean {
  return existsSync(OPENCODE_BIN);
}

/** The real `opencode serve`, its model a loopback fake that answers REPLY_TEXT at once. */
export async function startUpstream(options: StartOptions = {}): Promise<Target> {
  const home = scratch("upstream");
  const project = path.join(home, "project");
  git(project);
  writePoolFile(project);
  const baseURL = options.llmUrl ?? "http://127.0.0.1:9/v1";
  const config = {
    share: "disabled",
    autoupdate: false,
    model: "fake/fake-model",
    small_model: "fake/fake-model",
    provider: fakeProvider(baseURL),
  };
  return launch(
    "upstream",
    OPENCODE_BIN,
    (port) => ["serve", "--port", String(port), "--hostname", "127.0.0.1"],
    project,
    isolatedEnv(home, { OPENCODE_CONFIG_CONTENT: JSON.stringify(config), ...options.env }),
  );
}

/** A process and all its descendants (Linux /proc): upstream's `opencode` starts its binary as a child. */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended meanwhile
    }
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const next = queue.pop()!;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/** Resident memory of a process and all its descendants, in MiB. */
export function rssMiB(pid: number): number {
  let kib = 0;
  for (const member of processTree(pid)) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${member}/status`, "utf8"));
      kib += Number(match?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kib / 1024;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process and its descendants have used so far. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const member of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${member}/stat`, "utf8");
      const [utime, stime] = stat.slice(stat.lastIndexOf(")") + 2).split(" ").slice(11, 13).map(Number);
      ticks += utime! + stime!;
    } catch {
      // gone
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}
