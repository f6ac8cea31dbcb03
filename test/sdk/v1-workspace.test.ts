// The default (v1) client of @opencode-ai/sdk on the workspace and platform routes: files,
// search, git, MCP, tools, TUI control, log, LSP/formatter status and instance.dispose. Each call
// checks what the server really did (contents, hits, events, log lines).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventLike } from "../support/event-sequence.js";
import { makeRepo } from "../support/git.js";
import { fakeProvider, startLlmProject } from "../support/llm-project.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { sdkV1 } from "../support/sdk.js";
import type { TestServer } from "../support/server.js";
import { openEventReader, type EventReader } from "../support/sse.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MCP_SERVER = [path.join(ROOT, "node_modules/.bin/tsx"), path.join(ROOT, "test/support/mcp-server.ts"), "--stdio"];

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
let client: ReturnType<typeof sdkV1>;

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("sdk-v1-workspace"));
  writeFileSync(
    path.join(repo.dir, "opencode.json"),
    JSON.stringify({ model: "fake/m", provider: { fake: fakeProvider(llm.url) }, mcp: { calc: { type: "local", command: MCP_SERVER } } }),
  );
  writeFileSync(path.join(repo.dir, "notes.md"), "alpha\nneedle in here\n");
  server.services.configs.invalidate();
  client = sdkV1({ baseUrl: server.url, directory: repo.dir });
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

async function events(): Promise<EventReader> {
  const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
  await reader.next();
  return reader;
}

describe("files, search and git", () => {
  it("file.list, file.read, file.status", async () => {
    expect((await client.file.list({ query: { path: "." } })).data!.map((n) => n.name)).toEqual(
      expect.arrayContaining(["README.md", "notes.md", "opencode.json"]),
    );
    expect((await client.file.read({ query: { path: "notes.md" } })).data).toEqual({ type: "text", content: "alpha\nneedle in here\n" });
    const status = (await client.file.status()).data!;
    expect(status).toContainEqual({ path: "notes.md", added: 2, removed: 0, status: "added" });
  });

  it("find.text, find.files, find.symbols", async () => {
    const hits = (await client.find.text({ query: { pattern: "needle" } })).data!;
    expect(hits.map((h) => [h.path.text, h.line_number])).toEqual([["notes.md", 2]]);
    // Upstream's typo-tolerant finder lists opencode.json too (n-o-e-s in order): the real
    // opencode serve 1.18.33 answers ["notes.md", "opencode.json"] for such a project.
    expect((await client.find.files({ query: { query: "notes" } })).data).toEqual(["notes.md", "opencode.json"]);
    expect((await client.find.symbols({ query: { query: "x" } })).data).toEqual([]);
  });

  it("vcs.get", async () => {
    expect((await client.vcs.get()).data).toEqual({ branch: "main", default_branch: "main" });
  });
});

describe("a second repository, chosen by the client's directory", () => {
  it("shows that repository's files, sessions and events only", async () => {
    const other = makeRepo("second-repo").dir;
    writeFileSync(path.join(other, "only-here.txt"), "x");
    const second = sdkV1({ baseUrl: server.url, directory: other });
    const reader = await openEventReader(`${server.url}/event`, "event", {
      headers: { "x-opencode-directory": encodeURIComponent(other) },
    });
    await reader.next();
    const session = (await second.session.create({ body: {} })).data!;
    expect(session.directory).toBe(other);
    await reader.next<EventLike>((e) => e.type === "session.created", 5_000);
    const mine = (await client.session.create({ body: {} })).data!;
    expect((await second.file.list({ query: { path: "." } })).data!.map((n) => n.name)).toContain("only-here.txt");
    expect((await client.file.list({ query: { path: "." } })).data!.map((n) => n.name)).not.toContain("only-here.txt");
    expect((await second.session.list()).data!.map((s) => s.id)).toEqual([session.id]);
    expect((await client.session.list()).data!.map((s) => s.id)).toContain(mine.id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const created = (reader.frames as EventLike[]).filter((e) => e.type === "session.created");
    expect(created.map((e) => (e.properties as { info: { id: string } }).info.id)).toEqual([session.id]);
    reader.close();
  });
});

describe("MCP through the v1 client", () => {
  it("status, add, disconnect, connect", async () => {
    expect((await client.mcp.status()).data).toEqual({ calc: { status: "connected" } });
    const added = (await client.mcp.add({ body: { name: "calc2", config: { type: "local", command: MCP_SERVER } } })).data!;
    expect(added.calc2).toEqual({ status: "connected" });
    expect((await client.mcp.disconnect({ path: { name: "calc2" } })).data).toBe(true);
    expect(((await client.mcp.status()).data as Record<string, unknown>).calc2).toEqual({ status: "disabled" });
    expect((await client.mcp.connect({ path: { name: "calc2" } })).data).toBe(true);
  });

  it("the auth routes, under mcp.auth and (as the v1 client also names them) auth: no OAuth here", async () => {
    for (const auth of [client.mcp.auth, client.auth]) {
      expect((await auth.start({ path: { name: "calc" } })).response.status).toBe(400);
      expect((await auth.authenticate({ path: { name: "calc" } })).response.status).toBe(400);
      expect((await auth.callback({ path: { name: "calc" }, body: { code: "c" } })).response.status).toBe(400);
      expect((await auth.remove({ path: { name: "calc" } })).data).toEqual({ success: true });
    }
    expect((await client.mcp.auth.set({ path: { id: "anthropic" }, body: { type: "api", key: "sk-mcp-auth-set" } })).data).toBe(true);
    expect(server.services.credentials.apiKey("anthropic")).toBe("sk-mcp-auth-set");
  });
});

describe("tools, log, status routes", () => {
  it("tool.ids and tool.list: the built-in tools, the MCP server's, with parameter schemas", async () => {
    const ids = (await client.tool.ids()).data!;
    expect(ids).toEqual(expect.arrayContaining(["bash", "read", "edit"]));
    const tools = (await client.tool.list({ query: { provider: "fake", model: "m" } })).data!;
    const bash = tools.find((t) => t.id === "bash")!;
    expect(bash.parameters).toMatchObject({ type: "object", properties: { command: { type: "string" } } });
  });

  it("app.log writes a line to the server's log", async () => {
    expect((await client.app.log({ body: { service: "sdk-v1", level: "info", message: "hello log", extra: { n: 1 } } })).data).toBe(true);
    expect(server.logLines().some((line) => line.msg === "hello log" && line.service === "sdk-v1")).toBe(true);
  });

  it("lsp.status and formatter.status answer lists", async () => {
    expect((await client.lsp.status()).data).toEqual([]);
    expect(Array.isArray((await client.formatter.status()).data)).toBe(true);
  });

  it("instance.dispose re-reads the config and tells the clients", async () => {
    const reader = await events();
    expect((await client.instance.dispose()).data).toBe(true);
    await reader.next<EventLike>((e) => e.type === "server.instance.disposed", 10_000);
    reader.close();
  });
});

describe("TUI control through the v1 client", () => {
  it("each tui call publishes its event and answers true", async () => {
    const reader = await events();
    const calls: [() => Promise<{ data?: unknown }>, string][] = [
      [() => client.tui.appendPrompt({ body: { text: "typed" } }), "tui.prompt.append"],
      [() => client.tui.submitPrompt(), "tui.command.execute"],
      [() => client.tui.clearPrompt(), "tui.command.execute"],
      [() => client.tui.openHelp(), "tui.command.execute"],
      [() => client.tui.openSessions(), "tui.command.execute"],
      [() => client.tui.openThemes(), "tui.command.execute"],
      [() => client.tui.openModels(), "tui.command.execute"],
      [() => client.tui.executeCommand({ body: { command: "agent_cycle" } }), "tui.command.execute"],
      [() => client.tui.showToast({ body: { message: "hi", variant: "info" } }), "tui.toast.show"],
      [() => client.tui.publish({ body: { type: "tui.prompt.append", properties: { text: "via publish" } } }), "tui.prompt.append"],
    ];
    for (const [call, type] of calls) {
      expect((await call()).data).toBe(true);
      await reader.next<EventLike>((e) => e.type === type, 5_000);
    }
    reader.close();
  });

  it("tui.control.next hands over a queued request; tui.control.response answers it", async () => {
    const answer = server.services.tui.call("/tui/open-file", { path: "README.md" });
    expect((await client.tui.control.next()).data).toEqual({ path: "/tui/open-file", body: { path: "README.md" } });
    expect((await client.tui.control.response({ body: { opened: true } })).data).toBe(true);
    expect(await answer).toEqual({ opened: true });
  });
});
