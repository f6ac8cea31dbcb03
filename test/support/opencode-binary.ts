// The real `opencode` client (npm opencode-ai, the version pinned in spec/upstream.json, a dev
// dependency), run with a private HOME so the user's own config, auth and state are never read.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { makeTempDir } from "./temp.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const OPENCODE_BIN = path.join(ROOT, "node_modules", ".bin", "opencode");

export function pinnedOpencodeVersion(): string {
  return (JSON.parse(readFileSync(path.join(ROOT, "spec", "upstream.json"), "utf8")) as { version: string }).version;
}

export function opencodeAvailable(): boolean {
  return existsSync(OPENCODE_BIN);
}

/** Environment for one client run: an empty home, no auto-update, no model catalogue download, no sharing. */
export function isolatedClientEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = makeTempDir("opencode-home");
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_DATA_HOME: path.join(home, ".local", "share"),
    XDG_STATE_HOME: path.join(home, ".local", "state"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    TERM: "xterm-256color",
    OPENCODE_DISABLE_AUTOUPDATE: "1",
    OPENCODE_DISABLE_MODELS_FETCH: "1",
    OPENCODE_DISABLE_SHARE: "1",
    ...extra,
  };
}

export interface OpencodeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the opencode client once (`run --attach ...`) in `cwd` with an isolated home, stdin closed. */
export function runOpencode(args: string[], cwd: string, env: Record<string, string> = {}): Promise<OpencodeRun> {
  // stdin closed: with a pipe there, `opencode run` would wait to read the message from it.
  const child = spawn(OPENCODE_BIN, args, { cwd, env: isolatedClientEnv(env), stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr })));
}
