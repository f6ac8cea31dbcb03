// `agentpool serve` as a separate process, from the sources (or a build of them), for tests of
// several nodes on one database and of the build: each with its own HOME, XDG folders and data
// folder, killed as a process group.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { makeTempDir } from "./temp.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const children: ChildProcess[] = [];

export interface ServedNode {
  url: string;
  child: ChildProcess;
  /** Its XDG_DATA_HOME (the server's data folder is agentpool/ in it). */
  dataHome: string;
}

/**
 * Starts `agentpool serve --port 0 --project <project> ...args`; resolves with its URL once it
 * listens. `entry`: a built main.js to run with plain node instead of the sources through tsx.
 */
export function serveProcess(project: string, args: string[], env: NodeJS.ProcessEnv = {}, entry?: string): Promise<ServedNode> {
  const home = makeTempDir("node-home");
  const dataHome = makeTempDir("node-data");
  const isolated = {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    XDG_DATA_HOME: dataHome,
    XDG_STATE_HOME: makeTempDir("node-state"),
  };
  const main = entry ? [entry] : ["--import", "tsx", "src/main.ts"];
  const child = spawn(process.execPath, [...main, "serve", "--port", "0", "--project", project, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...isolated, OPENCODE_SERVER_PASSWORD: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.push(child);
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ url: match[1]!, child, dataHome });
    });
    child.stderr!.on("data", (d: Buffer) => (out += d));
    child.once("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

/** Stops a node (SIGTERM: it shuts down as a user's would) and waits for it to exit. */
export async function stopServed(node: ServedNode): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = new Promise((resolve) => node.child.once("exit", resolve));
  process.kill(-node.child.pid!, "SIGTERM");
  await exited;
}

/** Kills every node still running (afterAll). */
export function killServed(): void {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
}

/** A request to a node that must succeed; answers its JSON. */
export async function okJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  expect(response.ok, `${init?.method ?? "GET"} ${url}: ${response.status}`).toBe(true);
  return (await response.json()) as T;
}
