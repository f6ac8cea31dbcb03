// The real `opencode run --attach URL "..."` against this server (the scripted test LLM behind
// it): the reply text, tool use lines, JSON events with --format json, the exit code of a failed
// run, --dir for a second repository, and basic auth with --password.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeProvider, startLlmProject } from "../support/llm-project.js";
import { makeRepo } from "../support/git.js";
import { runOpencode } from "../support/opencode-binary.js";
import { startLoggingProxy, type LoggingProxy } from "../support/logging-proxy.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { defaultScript } from "../support/scripted-llm.js";
import { startTestServer, type TestServer } from "../support/server.js";

let llm: ScriptedLlm;
let server: TestServer;
let proxy: LoggingProxy;
let repo: { dir: string };

const opencode = runOpencode;

// opencode prints its own colour codes; compare text without them.
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("run-attach", {
    config: { provider: { fake: { ...fakeProvider("placeholder"), models: { m: { name: "Fake Model" } } } } },
  }));
  // The provider entry above needs the LLM's real address.
  writeFileSync(
    path.join(repo.dir, "opencode.json"),
    JSON.stringify({ model: "fake/m", provider: { fake: { ...fakeProvider(llm.url), models: { m: { name: "Fake Model" } } } } }),
  );
  server.services.configs.invalidate();
  proxy = await startLoggingProxy(server.url);
});
afterAll(async () => {
  await proxy.close();
  await server.close();
  await llm.stop();
});

describe("opencode run --attach", () => {
  it("prints the reply and exits 0", async () => {
    const run = await opencode(["run", "--attach", proxy.url, "hello from run"], repo.dir);
    expect(run.code).toBe(0);
    // opencode run sends the message in quotes, as the reference shows.
    expect(run.stdout.trim()).toBe('Hello from fake LLM. You said: "hello from run"');
    expect(plain(run.stderr)).toContain("> build · m");
  });

  it("shows a tool call's command and output", async () => {
    const run = await opencode(["run", "--attach", proxy.url, "please use bash"], repo.dir);
    expect(run.code).toBe(0);
    const all = plain(run.stdout + run.stderr);
    expect(all).toContain("$ echo hi");
    expect(all).toMatch(/^hi$/m);
    expect(run.stdout).toContain("Tool finished: hi");
  });

  it("--format json prints the run's events as JSON lines", async () => {
    const run = await opencode(["run", "--attach", proxy.url, "--format", "json", "please use bash"], repo.dir);
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split("\n")
      .map(
        (line) => JSON.parse(line) as { type: string; part: { type: string; tool?: string; text?: string; state?: { output?: string } } },
      );
    expect(events.map((e) => e.type)).toEqual(["step_start", "tool_use", "step_finish", "step_start", "text", "step_finish"]);
    expect(events[1]!.part).toMatchObject({ type: "tool", tool: "bash", state: { output: "hi\n" } });
    expect(events[4]!.part.text).toBe("Tool finished: hi\n");
  });

  it("a failed run ends instead of hanging; the error is on the session's last message", async () => {
    // Upstream 1.18.33's own server keeps `opencode run` waiting on a non-retryable provider error
    // (tried by hand: still running after 60 s); here the run ends and the error is recorded.
    llm.setScript((request) =>
      JSON.stringify(request.body.messages.at(-1)?.content).includes("break please")
        ? { kind: "error", status: 400, message: "the model refuses" }
        : defaultScript(request),
    );
    try {
      const run = await opencode(["run", "--attach", proxy.url, "--format", "json", "break please"], repo.dir);
      expect(run.code).toBe(0);
      const sessions = (await (await server.fetch(`/session?directory=${encodeURIComponent(repo.dir)}`)).json()) as {
        id: string;
        time: { updated: number };
      }[];
      const latest = sessions.sort((a, b) => b.time.updated - a.time.updated)[0]!;
      const messages = (await (await server.fetch(`/session/${latest.id}/message`)).json()) as {
        info: { error?: { name: string; data: { message: string } } };
      }[];
      expect(messages.at(-1)!.info.error).toMatchObject({ name: "APIError", data: { message: "the model refuses" } });
    } finally {
      llm.setScript(undefined);
    }
  });

  it("--dir sends a second repository as the directory: its sessions, not the first one's", async () => {
    const other = makeRepo("run-attach-other").dir;
    writeFileSync(path.join(other, "opencode.json"), JSON.stringify({ model: "fake/m", provider: { fake: fakeProvider(llm.url) } }));
    const run = await opencode(["run", "--attach", proxy.url, "--dir", other, "hello other repo"], repo.dir);
    expect(run.code).toBe(0);
    const sessions = (await (await server.fetch(`/session?directory=${encodeURIComponent(other)}`)).json()) as { directory: string }[];
    expect(sessions.map((s) => s.directory)).toEqual([other]);
    const mine = (await (await server.fetch(`/session?directory=${encodeURIComponent(repo.dir)}`)).json()) as { directory: string }[];
    expect(mine.every((s) => s.directory === repo.dir)).toBe(true);
  });

  it("a model no provider offers: the prompt is refused with upstream's message and the run exits 1", async () => {
    const run = await opencode(["run", "--attach", server.url, "-m", "fake/mm", "hello"], repo.dir);
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toContain("Model not found: fake/mm. Did you mean: m?");
  });

  it("no call it made failed", () => {
    const failed = proxy.calls.filter((c) => c.status >= 400);
    expect(failed).toEqual([]);
    expect(proxy.calls.some((c) => c.method === "POST" && /\/session\/ses_[^/]+\/message/.test(c.url))).toBe(true);
  });
});

describe("with OPENCODE_SERVER_PASSWORD", () => {
  let guarded: TestServer;
  beforeAll(async () => {
    guarded = await startTestServer({ projectDirectory: repo.dir, credentials: { username: "opencode", password: "s3cret" } });
  });
  afterAll(() => guarded.close());

  it("--password works; without it the server answers 401 and the run fails", async () => {
    const ok = await opencode(["run", "--attach", guarded.url, "--password", "s3cret", "hello with auth"], repo.dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe('Hello from fake LLM. You said: "hello with auth"');
    const denied = await opencode(["run", "--attach", guarded.url, "hello without auth"], repo.dir);
    expect(denied.code).not.toBe(0);
    expect((await fetch(`${guarded.url}/session`)).status).toBe(401);
  });
});
