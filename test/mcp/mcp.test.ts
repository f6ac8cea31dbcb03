// MCP servers through the OpenCode API: a real stdio server (test/support/mcp-server.ts) from the
// `mcp` config key and a streamable HTTP one added at run time; status, connect, disconnect; an
// agent calling an MCP tool; mcp.tools.changed; prompts as commands; resources; the OAuth routes.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventLike } from "../support/event-sequence.js";
import { fakeProvider, startLlmProject } from "../support/llm-project.js";
import { startHttpMcpServer } from "../support/mcp-server.js";
import { defaultScript, type ScriptedLlm } from "../support/scripted-llm.js";
import { sdkV2 } from "../support/sdk.js";
import { openEventReader } from "../support/sse.js";
import { jsonInit, type TestServer } from "../support/server.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const STDIO_SERVER = [path.join(ROOT, "node_modules/.bin/tsx"), path.join(ROOT, "test/support/mcp-server.ts"), "--stdio"];

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
let remote: Awaited<ReturnType<typeof startHttpMcpServer>>;
const sdk = () => sdkV2({ baseUrl: server.url, directory: repo.dir });

type Part = { type: string; tool?: string; text?: string; state?: { status: string; output?: string; error?: string } };

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("mcp"));
  const config = {
    model: "fake/m",
    provider: { fake: fakeProvider(llm.url) },
    mcp: {
      calc: { type: "local", command: STDIO_SERVER },
      broken: { type: "local", command: ["/nonexistent/mcp-server"] },
      off: { type: "local", command: STDIO_SERVER, enabled: false },
    },
  };
  writeFileSync(path.join(repo.dir, "opencode.json"), JSON.stringify(config));
  server.services.configs.invalidate();
  remote = await startHttpMcpServer();
});
afterAll(async () => {
  await server.close();
  await llm.stop();
  await remote.close();
});

describe("MCP servers", () => {
  it("connects the configured servers: status per server", async () => {
    const status = (await sdk().mcp.status()).data as Record<string, { status: string; error?: string }>;
    expect(status.calc).toEqual({ status: "connected" });
    expect(status.off).toEqual({ status: "disabled" });
    expect(status.broken!.status).toBe("failed");
    expect(status.broken!.error).toBeTruthy();
  });

  it("offers the tools to the agent as <server>_<tool>; a call's result lands in the tool part", async () => {
    llm.setScript((request) => {
      const last = request.body.messages.at(-1)!;
      if (last.role === "tool") return { kind: "text", text: `MCP said: ${JSON.stringify(last.content)}` };
      if (JSON.stringify(last.content).includes("add with mcp"))
        return { kind: "tool", calls: [{ name: "calc_add", args: { a: 2, b: 3 } }] };
      return defaultScript(request);
    });
    try {
      const session = (await sdk().session.create({})).data as { id: string };
      const res = await server.fetch(
        `/session/${session.id}/message`,
        jsonInit("POST", { parts: [{ type: "text", text: "add with mcp" }] }),
      );
      expect(res.status).toBe(200);
      const offered = llm.requests
        .find((r) => r.body.tools && JSON.stringify(r.body.messages).includes("add with mcp"))!
        .body.tools!.map((t) => t.function.name);
      expect(offered).toEqual(expect.arrayContaining(["calc_add", "calc_echo", "calc_unlock", "bash"]));
      expect(offered.some((name) => name.startsWith("off_") || name.startsWith("broken_"))).toBe(false);
      const parts = ((await sdk().session.messages({ sessionID: session.id })).data as { parts: Part[] }[]).flatMap((m) => m.parts);
      expect(parts.find((p) => p.tool === "calc_add")?.state).toMatchObject({ status: "completed", output: "2 + 3 = 5" });
    } finally {
      llm.setScript(undefined);
    }
  });

  it("publishes mcp.tools.changed when a server's tool list changes, and offers the new tool", async () => {
    const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
    await reader.next();
    llm.setScript((request) => {
      const last = request.body.messages.at(-1)!;
      if (last.role === "tool") return { kind: "text", text: "done" };
      if (JSON.stringify(last.content).includes("unlock it")) return { kind: "tool", calls: [{ name: "calc_unlock", args: {} }] };
      return defaultScript(request);
    });
    try {
      const session = (await sdk().session.create({})).data as { id: string };
      await server.fetch(`/session/${session.id}/message`, jsonInit("POST", { parts: [{ type: "text", text: "unlock it" }] }));
      const changed = await reader.next<EventLike>((e) => e.type === "mcp.tools.changed", 10_000);
      expect(changed.properties).toEqual({ server: "calc" });
      await server.fetch(`/session/${session.id}/message`, jsonInit("POST", { parts: [{ type: "text", text: "hello again" }] }));
      expect(llm.requests.at(-1)!.body.tools!.map((t) => t.function.name)).toContain("calc_secret");
    } finally {
      reader.close();
      llm.setScript(undefined);
    }
  });

  it("disconnect turns a server off and its tools go; connect brings them back", async () => {
    expect((await sdk().mcp.disconnect({ name: "calc" })).data).toBe(true);
    expect(((await sdk().mcp.status()).data as Record<string, unknown>).calc).toEqual({ status: "disabled" });
    const session = (await sdk().session.create({})).data as { id: string };
    await server.fetch(`/session/${session.id}/message`, jsonInit("POST", { parts: [{ type: "text", text: "no mcp now" }] }));
    expect(llm.requests.at(-1)!.body.tools!.some((t) => t.function.name.startsWith("calc_"))).toBe(false);
    expect((await sdk().mcp.connect({ name: "calc" })).data).toBe(true);
    expect(((await sdk().mcp.status()).data as Record<string, unknown>).calc).toEqual({ status: "connected" });
    const missing = await sdk().mcp.connect({ name: "nope" });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ _tag: "McpServerNotFoundError", name: "nope" });
  });

  it("mcp.add connects a remote (streamable HTTP) server at run time", async () => {
    const status = (await sdk().mcp.add({ name: "web", config: { type: "remote", url: remote.url } })).data as Record<string, unknown>;
    expect(status.web).toEqual({ status: "connected" });
    expect(status.calc).toEqual({ status: "connected" });
  });

  it("lists the servers' prompts as commands and their resources", async () => {
    const commands = (await sdk().command.list()).data as { name: string; source?: string; description?: string }[];
    expect(commands).toContainEqual(expect.objectContaining({ name: "calc:greet", source: "mcp", description: "Greets someone" }));
    expect(commands).toContainEqual(expect.objectContaining({ name: "web:greet", source: "mcp" }));
    const resources = (await sdk().experimental.resource.list()).data as Record<string, unknown>;
    expect(resources["calc:memo://readme"]).toEqual({
      name: "readme",
      uri: "memo://readme",
      description: "The test readme",
      mimeType: "text/plain",
      client: "calc",
    });
  });

  it("the OAuth routes answer a clear error for servers that need no OAuth, 404 for unknown ones", async () => {
    const start = await sdk().mcp.auth.start({ name: "calc" });
    expect(start.response.status).toBe(400);
    expect(start.error).toMatchObject({ error: expect.stringContaining("does not use OAuth") });
    expect((await sdk().mcp.auth.authenticate({ name: "calc" })).response.status).toBe(400);
    expect((await sdk().mcp.auth.callback({ name: "calc", code: "x" })).response.status).toBe(400);
    expect((await sdk().mcp.auth.remove({ name: "calc" })).data).toEqual({ success: true });
    expect((await sdk().mcp.auth.start({ name: "nope" })).response.status).toBe(404);
  });
});
