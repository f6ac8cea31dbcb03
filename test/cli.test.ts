// The `agentpool serve` command as a user runs it: flags, the start-up lines, the log file.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { makeTempDir } from "./support/temp.js";
import { afterEach, describe, expect, it } from "vitest";
import { parseServeArgs } from "../src/cli.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  // Each server runs in its own process group: npm and tsx start children of their own.
  for (const child of children.splice(0)) if (child.exitCode === null) process.kill(-child.pid!, "SIGTERM");
});

function scratch(name: string): string {
  return makeTempDir(`cli-${name}`);
}

/** Spawns a command and resolves with its URL once it prints the listening line. */
function serve(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d));
  return new Promise<{ url: string; stdout: () => string; stderr: () => string; child: ChildProcess }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 30 s:\n${stdout}\n${stderr}`)), 30_000);
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d;
      const match = /^agentpool server listening on (http:\/\/\S+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, stdout: () => stdout, stderr: () => stderr, child });
      }
    });
    child.once("exit", (code) => reject(new Error(`exited ${code}:\n${stdout}\n${stderr}`)));
  });
}

describe("agentpool serve", () => {
  it("serves --project on --port, warns when unsecured, and logs to $XDG_STATE_HOME/agentpool/log/opencode.log", async () => {
    const project = scratch("project");
    const state = scratch("state");
    const { url, stdout } = await serve(process.execPath, ["bin/agentpool.js", "serve", "--port", "0", "--project", project], {
      cwd: ROOT,
      env: { XDG_STATE_HOME: state, OPENCODE_SERVER_PASSWORD: "" },
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout()).toContain("Warning: OPENCODE_SERVER_PASSWORD is not set; server is unsecured.");
    const paths = (await (await fetch(`${url}/path`)).json()) as { directory: string };
    expect(paths.directory).toBe(project);
    const logFile = path.join(state, "agentpool", "log", "opencode.log");
    expect(existsSync(logFile)).toBe(true);
    const lines = readFileSync(logFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; url?: string });
    expect(lines.find((l) => l.msg === "server listening")?.url).toBe(url);
  });

  it("with `npm start`, serves the directory npm was started from, and takes flags after --", async () => {
    const project = scratch("npm");
    const state = scratch("state");
    const { url, stdout } = await serve("npm", ["start", "--silent", "--prefix", ROOT, "--", "--port", "0", "--print-logs"], {
      cwd: project,
      env: { XDG_STATE_HOME: state, OPENCODE_SERVER_PASSWORD: "secret" },
    });
    expect(stdout()).not.toContain("unsecured");
    expect((await fetch(`${url}/path`)).status).toBe(401);
    const auth = { authorization: `Basic ${Buffer.from("opencode:secret").toString("base64")}` };
    expect(((await (await fetch(`${url}/path`, { headers: auth })).json()) as { directory: string }).directory).toBe(project);
  });

  it("prints the log to stderr with --print-logs", async () => {
    const { stderr, url } = await serve(
      process.execPath,
      ["bin/agentpool.js", "serve", "--port", "0", "--print-logs", "--log-level", "debug"],
      {
        cwd: ROOT,
        env: { XDG_STATE_HOME: scratch("state") },
      },
    );
    await fetch(`${url}/global/health`);
    await expect.poll(() => stderr(), { timeout: 5_000 }).toContain('"msg":"server listening"');
  });

  it("stops at start with the usage when a run limit is bad", async () => {
    const child = spawn(process.execPath, ["bin/agentpool.js", "serve", "--port", "0", "--run-limit", "provider:fake=none"], {
      cwd: ROOT,
      env: { ...process.env, XDG_STATE_HOME: scratch("state"), XDG_DATA_HOME: scratch("data") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('agentpool: --run-limit: run limit "provider:fake=none": the cap must be a whole number of at least 1');
    expect(stderr).toContain("--run-limit KEY=CAP");
  });
});

describe("parseServeArgs", () => {
  const env = { INIT_CWD: os.tmpdir() };
  it("has opencode serve's defaults", () => {
    expect(parseServeArgs(["serve"], env, "/")).toEqual({
      port: 4096,
      hostname: "127.0.0.1",
      project: path.resolve(os.tmpdir()),
      cors: [],
      printLogs: false,
      logLevel: "INFO",
      // A user's server logs an answer that breaks the spec instead of failing it.
      strictContract: false,
      // No caps on concurrent runs.
      runLimits: {},
    });
    expect(parseServeArgs(["serve", "--strict-contract"], env, "/")).toMatchObject({ strictContract: true });
  });

  it("takes repeated --cors and a relative --project", () => {
    const parsed = parseServeArgs(
      ["serve", "--cors", "https://a.example", "--cors", "https://b.example", "--project", "."],
      {},
      os.tmpdir(),
    );
    expect(parsed).toMatchObject({ cors: ["https://a.example", "https://b.example"], project: path.resolve(os.tmpdir()) });
  });

  it("refuses bad values with a clear message", () => {
    expect(() => parseServeArgs(["serve", "--port", "99999"], env, "/")).toThrow("--port must be 0..65535, got 99999");
    expect(() => parseServeArgs(["serve", "--log-level", "LOUD"], env, "/")).toThrow("--log-level must be one of DEBUG, INFO, WARN, ERROR");
    expect(() => parseServeArgs(["serve", "--project", "/no/such/dir"], env, "/")).toThrow("is not a directory");
    expect(() => parseServeArgs(["launch"], env, "/")).toThrow("unknown command: launch");
  });

  it("takes repeated --run-limit, else AGENTPOOL_RUN_LIMITS, as caps per agent and provider", () => {
    const args = ["serve", "--run-limit", "agent:build=2", "--run-limit", "provider:anthropic=4,provider:openai=1"];
    expect(parseServeArgs(args, env, "/")).toMatchObject({
      runLimits: { "agent:build": 2, "provider:anthropic": 4, "provider:openai": 1 },
    });
    const fromEnv = { ...env, AGENTPOOL_RUN_LIMITS: "agent:plan=3, provider:fake=1" };
    expect(parseServeArgs(["serve"], fromEnv, "/")).toMatchObject({ runLimits: { "agent:plan": 3, "provider:fake": 1 } });
    // The option given, the environment's list is not used.
    expect(parseServeArgs(["serve", "--run-limit", "agent:build=1"], fromEnv, "/")).toMatchObject({ runLimits: { "agent:build": 1 } });
  });

  it("refuses a bad run limit with a clear message", () => {
    const limit = (value: string) => () => parseServeArgs(["serve", "--run-limit", value], env, "/");
    expect(limit("build=2")).toThrow('--run-limit: run limit "build=2" must look like agent:<name>=<cap> or provider:<id>=<cap>');
    expect(limit("model:x=2")).toThrow("must look like agent:<name>=<cap>");
    expect(limit("agent:build=0")).toThrow('--run-limit: run limit "agent:build=0": the cap must be a whole number of at least 1');
    expect(limit("agent:build=1.5")).toThrow("the cap must be a whole number of at least 1");
    expect(limit("agent:build=")).toThrow("must look like");
    expect(limit("agent:build=1,agent:build=2")).toThrow("run limit for agent:build is given twice");
    expect(() => parseServeArgs(["serve"], { ...env, AGENTPOOL_RUN_LIMITS: "provider:x=many" }, "/")).toThrow(
      'AGENTPOOL_RUN_LIMITS: run limit "provider:x=many": the cap must be a whole number',
    );
  });
});
