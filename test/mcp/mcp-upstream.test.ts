// MCP servers as upstream runs them, over HTTP against the server: a remote server that only
// speaks the older SSE transport is reached after streamable HTTP fails; a remote server that
// answers 401 is `needs_auth` (and no other transport is tried); a stdio server that dies is
// `failed` and its tools are withdrawn (mcp.tools.changed); a config change reconnects only the
// entries it changed; an agent's (or a prompt's) tools map turns MCP tools off by wildcard.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { EventLike } from "../support/event-sequence.js";
import { fakeProvider, startLlmProject } from "../support/llm-project.js";
import { startSseMcpServer, startUnauthorizedServer } from "../support/mcp-server.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { sdkV2 } from "../support/sdk.js";
import { openEventReader } from "../support/sse.js";
import { jsonInit, type TestServer } from "../support/server.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const STDIO_SERVER = [path.join(ROOT, "node_modules/.bin/tsx"), path.join(ROOT, "test/support/mcp-server.ts"), "--stdio"];

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
let sse: Awaited<ReturnType<typeof startSseMcpServer>>;
let locked: Awaited<ReturnType<typeof startUnauthorizedServer>>;
const sdk = () => sdkV2({ baseUrl: server.url, directory: repo.dir });

/** A stdio server whose starts (pids) are logged to a file of its own. */
const stdio = (name: string, extra: Record<string, string> = {}) => ({
  type: "local",
  command: STDIO_SERVER,
  environment: { MCP_START_LOG: path.join(repo.dir, `${name}.starts`), ...extra },
});
const starts = (name: string): number[] => {
  try {
    return readFileSync(path.join(repo.dir, `${name}.starts`), "utf8").trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const status = async () => (await sdk().mcp.status()).data as Record<string, { status: string; error?: string }>;

/** The tool names the model was offered in a prompt of this text (with these body extras). */
async function offeredTools(text: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  const session = (await sdk().session.create({})).data as { id: string };
  const res = await server.fetch(`/session/${session.id}/message`, jsonInit("POST", { parts: [{ type: "text", text }], ...extra }));
  expect(res.status).toBe(200);
  const request = llm.requests.find((r) => r.body.tools && JSON.stringify(r.body.messages).includes(text));
  return request!.body.tools!.map((t) => t.function.name);
}

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("mcp-upstream"));
  sse = await startSseMcpServer();
  locked = await startUnauthorizedServer();
  const config = {
    model: "fake/m",
    provider: { fake: fakeProvider(llm.url) },
    agent: { picky: { mode: "primary", description: "No keep tools", tools: { "keep_*": false } } },
    mcp: {
      legacy: { type: "remote", url: sse.url },
      locked: { type: "remote", url: locked.url },
      keep: stdio("keep"),
      change: stdio("change"),
      crash: stdio("crash"),
    },
  };
  writeFileSync(path.join(repo.dir, "opencode.json"), JSON.stringify(config));
  server.services.configs.invalidate();
});
afterAll(async () => {
  await server.close();
  await llm.stop();
  await sse.close();
  await locked.close();
});

describe("MCP servers as upstream", () => {
  it("reaches an SSE-only remote server after streamable HTTP fails; a 401 is needs_auth with no other transport tried", async () => {
    const all = await status();
    expect(all.legacy).toEqual({ status: "connected" });
    expect(sse.posts()).toBeGreaterThan(0); // streamable HTTP was tried first
    expect(all.locked).toEqual({ status: "needs_auth" });
    expect(locked.requests().length).toBeGreaterThan(0);
    expect(locked.requests().every((request) => request.startsWith("POST"))).toBe(true); // no SSE GET
    expect(await offeredTools("list the legacy tools")).toEqual(expect.arrayContaining(["legacy_add", "keep_add", "crash_add"]));
  });

  it("a crashed stdio server is failed and its tools are withdrawn (mcp.tools.changed)", async () => {
    await status();
    const [pid] = starts("crash");
    expect(pid).toBeGreaterThan(0);
    const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
    await reader.next();
    try {
      process.kill(pid!, "SIGKILL");
      const changed = await reader.next<EventLike>((e) => e.type === "mcp.tools.changed", 10_000);
      expect(changed.properties).toEqual({ server: "crash" });
    } finally {
      reader.close();
    }
    expect((await status()).crash).toEqual({ status: "failed", error: "Connection closed" });
    const offered = await offeredTools("after the crash");
    expect(offered.some((name) => name.startsWith("crash_"))).toBe(false);
    expect(offered).toContain("keep_add");
  });

  it("a config change reconnects only the entries it changed", async () => {
    expect(starts("keep")).toHaveLength(1);
    expect(starts("change")).toHaveLength(1);
    const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
    await reader.next();
    try {
      const res = await server.fetch(
        "/config",
        jsonInit("PATCH", { mcp: { change: stdio("change", { FLAVOUR: "new" }), added: stdio("added") } }),
      );
      expect(res.status).toBe(200);
      const all = await status();
      expect(all.change).toEqual({ status: "connected" });
      expect(all.added).toEqual({ status: "connected" });
      expect(all.keep).toEqual({ status: "connected" });
      const changed = [
        await reader.next<EventLike>((e) => e.type === "mcp.tools.changed", 10_000),
        await reader.next<EventLike>((e) => e.type === "mcp.tools.changed", 10_000),
      ].map((e) => (e.properties as { server: string }).server);
      expect(changed.sort()).toEqual(["added", "change"]);
    } finally {
      reader.close();
    }
    expect(starts("change")).toHaveLength(2);
    expect(starts("added")).toHaveLength(1);
    // Unchanged entries kept their connection (and the crashed one was not restarted).
    expect(starts("keep")).toHaveLength(1);
    expect(starts("crash")).toHaveLength(1);
    expect((await status()).crash!.status).toBe("failed");
    // A removed entry is closed and gone.
    const config = JSON.parse(readFileSync(path.join(repo.dir, "opencode.json"), "utf8")) as { mcp: Record<string, unknown> };
    delete config.mcp.added;
    writeFileSync(path.join(repo.dir, "opencode.json"), JSON.stringify(config));
    server.services.configs.invalidate();
    expect(Object.keys(await status())).not.toContain("added");
    const [addedPid] = starts("added");
    await vi.waitFor(
      () => {
        expect(() => process.kill(addedPid!, 0)).toThrow();
      },
      { timeout: 10_000 },
    );
  });

  it("an agent's tools map and a prompt's take wildcards: \"keep_*\": false", async () => {
    const picky = await offeredTools("as the picky agent", { agent: "picky" });
    expect(picky.some((name) => name.startsWith("keep_"))).toBe(false);
    expect(picky).toContain("change_add");
    const prompt = await offeredTools("with a prompt tools map", { tools: { "change_*": false } });
    expect(prompt.some((name) => name.startsWith("change_"))).toBe(false);
    expect(prompt).toContain("keep_add");
    expect(prompt).toContain("bash");
  });
});
