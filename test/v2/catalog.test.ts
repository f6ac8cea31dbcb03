// The v2 catalog routes the TUI calls at every start (/api/location, agent, integration, model,
// provider, reference, command, skill), the v2 file routes, credentials, and skills (GET /skill,
// and the `skill` tool in an LLM turn). Through the @opencode-ai/sdk/v2 client where it has the method.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLlmProject } from "../support/llm-project.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { defaultScript } from "../support/scripted-llm.js";
import { sdkV2 } from "../support/sdk.js";
import { jsonInit, type TestServer } from "../support/server.js";

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string; rootCommit: string };
const sdk = () => sdkV2({ baseUrl: server.url, directory: repo.dir });
const location = () => ({ directory: repo.dir, project: { id: repo.rootCommit, directory: repo.dir } });

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("v2-catalog", {
    config: { reference: { docs: { path: "docs", description: "Project docs" }, upstream: "https://example.com/repo.git" } },
  }));
  mkdirSync(path.join(repo.dir, ".opencode", "agent"), { recursive: true });
  writeFileSync(
    path.join(repo.dir, ".opencode", "agent", "reviewer.md"),
    "---\ndescription: Reviews code\nmode: subagent\n---\nYou review.",
  );
  mkdirSync(path.join(repo.dir, ".opencode", "command"), { recursive: true });
  writeFileSync(
    path.join(repo.dir, ".opencode", "command", "hello.md"),
    "---\ndescription: Says hello\nmodel: fake/m\n---\nSay hello to $ARGUMENTS",
  );
  mkdirSync(path.join(repo.dir, ".opencode", "skill", "deploy"), { recursive: true });
  writeFileSync(
    path.join(repo.dir, ".opencode", "skill", "deploy", "SKILL.md"),
    "---\nname: deploy\ndescription: How this project is deployed\n---\nRun make deploy, then check the dashboard.",
  );
  mkdirSync(path.join(repo.dir, ".claude", "skills", "lint"), { recursive: true });
  writeFileSync(path.join(repo.dir, ".claude", "skills", "lint", "SKILL.md"), "---\ndescription: Linting rules\n---\nUse eslint.");
  mkdirSync(path.join(repo.dir, "src", "deep"), { recursive: true });
  writeFileSync(path.join(repo.dir, "src", "deep", "index.ts"), "export const x = 1;\n");
  writeFileSync(path.join(repo.dir, ".env"), "SECRET=1\n");
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

describe("the routes the TUI calls at start", () => {
  it("/api/health and /api/location", async () => {
    expect((await sdk().v2.health.get()).data).toEqual({ healthy: true });
    expect((await sdk().v2.location.get()).data).toEqual(location());
  });

  it("/api/agent lists built-in, markdown and config agents with their rules", async () => {
    const { data } = (await sdk().v2.agent.list()) as {
      data: { location: unknown; data: { id: string; mode: string; permissions: unknown[] }[] };
    };
    expect(data.location).toEqual(location());
    const ids = data.data.map((a) => a.id);
    expect(ids).toEqual(expect.arrayContaining(["build", "plan", "general", "explore", "reviewer"]));
    expect(data.data.find((a) => a.id === "reviewer")).toMatchObject({
      mode: "subagent",
      description: "Reviews code",
      system: "You review.",
    });
    expect(data.data.find((a) => a.id === "build")!.permissions).toContainEqual({
      action: "external_directory",
      resource: "*",
      effect: "ask",
    });
  });

  it("/api/provider and /api/model: the configured provider and its model", async () => {
    const providers = (await sdk().v2.provider.list()).data as { data: { id: string; api: { package: string; url?: string } }[] };
    expect(providers.data.find((p) => p.id === "fake")).toMatchObject({
      api: { type: "aisdk", package: "@ai-sdk/openai-compatible", url: llm.url },
    });
    const one = (await sdk().v2.provider.get({ providerID: "fake" })).data as { data: { id: string } };
    expect(one.data.id).toBe("fake");
    const missing = await server.fetch("/api/provider/nope");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ _tag: "ProviderNotFoundError", providerID: "nope" });
    const models = (await server.fetch(`/api/model?location[directory]=${encodeURIComponent(repo.dir)}`).then((r) => r.json())) as {
      data: { id: string; providerID: string; capabilities: { tools: boolean; input: string[] } }[];
    };
    expect(models.data).toContainEqual(
      expect.objectContaining({ id: "m", providerID: "fake", capabilities: { tools: true, input: ["text"], output: ["text"] } }),
    );
  });

  it("/api/command and /api/reference", async () => {
    const commands = (await sdk().v2.command.list()).data as { data: { name: string; template: string; model?: unknown }[] };
    expect(commands.data.map((c) => c.name)).toEqual(expect.arrayContaining(["init", "review", "hello"]));
    expect(commands.data.find((c) => c.name === "hello")).toMatchObject({
      description: "Says hello",
      model: { id: "m", providerID: "fake" },
    });
    const references = (await sdk().v2.reference.list()).data as { data: { name: string; path: string; source: { type: string } }[] };
    expect(references.data).toEqual([
      {
        name: "docs",
        path: path.join(repo.dir, "docs"),
        description: "Project docs",
        source: { type: "local", path: path.join(repo.dir, "docs"), description: "Project docs" },
      },
      {
        name: "upstream",
        path: expect.stringContaining("reference/upstream"),
        source: { type: "git", repository: "https://example.com/repo.git" },
      },
    ]);
  });

  it("/api/skill and GET /skill list SKILL.md files from .opencode/skill and .claude/skills", async () => {
    const v1 = (await sdk().app.skills()).data as { name: string; description?: string; location: string; content: string }[];
    expect(v1.map((s) => s.name).sort()).toEqual(["deploy", "lint"]);
    expect(v1.find((s) => s.name === "deploy")).toEqual({
      name: "deploy",
      description: "How this project is deployed",
      location: path.join(repo.dir, ".opencode", "skill", "deploy", "SKILL.md"),
      content: "Run make deploy, then check the dashboard.",
    });
    const v2 = (await sdk().v2.skill.list()).data as { data: unknown[] };
    expect(v2.data).toEqual(v1);
  });
});

describe("integrations and credentials", () => {
  it("connecting with a key stores a credential that connects the provider; label, then remove", async () => {
    const before = (await sdk().v2.integration.get({ integrationID: "anthropic" })).data as {
      data: { methods: unknown[]; connections: unknown[] };
    };
    expect(before.data.methods).toEqual([{ type: "key" }, { type: "env", names: ["ANTHROPIC_API_KEY"] }]);
    expect(before.data.connections).toEqual([]);
    const connect = await sdk().v2.integration.connect.key({ integrationID: "anthropic", key: "sk-ant-test", label: "work key" });
    expect(connect.response.status).toBe(204);
    const after = (await sdk().v2.integration.get({ integrationID: "anthropic" })).data as { data: { connections: unknown[] } };
    expect(after.data.connections).toEqual([{ type: "credential", id: "anthropic", label: "work key" }]);
    expect((await sdk().provider.list()).data!.connected).toContain("anthropic");
    expect((await sdk().v2.credential.update({ credentialID: "anthropic", label: "renamed" })).response.status).toBe(204);
    const listed = (await sdk().v2.integration.list()).data as { data: { id: string; connections: { label?: string }[] }[] };
    expect(listed.data.find((i) => i.id === "anthropic")!.connections[0]!.label).toBe("renamed");
    expect((await sdk().v2.credential.remove({ credentialID: "anthropic" })).response.status).toBe(204);
    expect((await sdk().provider.list()).data!.connected).not.toContain("anthropic");
    expect((await sdk().v2.credential.remove({ credentialID: "anthropic" })).response.status).toBe(404);
  });

  it("OAuth sign-in is not offered: a clear error, and attempts are unknown", async () => {
    const oauth = await sdk().v2.integration.connect.oauth({ integrationID: "openai", methodID: "browser", inputs: {} });
    expect(oauth.response.status).toBe(400);
    expect(oauth.error).toMatchObject({ _tag: "InvalidRequestError", message: expect.stringContaining("no OAuth sign-in") });
    expect((await sdk().v2.integration.attempt.status({ attemptID: "att_x" })).response.status).toBe(404);
    expect((await sdk().v2.integration.attempt.cancel({ attemptID: "att_x" })).response.status).toBe(404);
    expect((await sdk().v2.integration.attempt.complete({ attemptID: "att_x", code: "c" })).response.status).toBe(404);
    expect((await sdk().v2.integration.get({ integrationID: "nope" })).response.status).toBe(404);
  });
});

describe("/api/fs", () => {
  it("reads a file's bytes, lists a folder, finds by a fuzzy name", async () => {
    const read = await server.fetch(`/api/fs/read/src/deep/index.ts?location[directory]=${encodeURIComponent(repo.dir)}`);
    expect(read.headers.get("content-type")).toMatch(/^application\/octet-stream/);
    expect(await read.text()).toBe("export const x = 1;\n");
    const list = (await sdk().v2.fs.list({ path: "src" })).data as { data: unknown[] };
    expect(list.data).toEqual([{ path: "src/deep", type: "directory" }]);
    const found = (await sdk().v2.fs.find({ query: "index" })).data as { data: { path: string }[] };
    expect(found.data[0]).toEqual({ path: "src/deep/index.ts", type: "file" });
    // Fuzzy: ".opencode/skill/deploy" has d-e-e-p in order too, but a whole-name match ranks first.
    const dirs = (await sdk().v2.fs.find({ query: "deep", type: "directory" })).data as { data: { type: string }[] };
    expect(dirs.data[0]).toEqual({ path: "src/deep/", type: "directory" });
    expect(dirs.data.every((d) => d.type === "directory")).toBe(true);
  });

  it("refuses escapes by .., absolute paths and symlinks, and does not serve .env", async () => {
    symlinkSync("/etc", path.join(repo.dir, "etc-link"));
    for (const bad of [
      "/api/fs/read/..%2F..%2Fetc%2Fhostname",
      "/api/fs/read/etc-link/hostname",
      "/api/fs/list?path=/etc",
      "/api/fs/list?path=../..",
    ]) {
      const res = await server.fetch(`${bad}${bad.includes("?") ? "&" : "?"}directory=${encodeURIComponent(repo.dir)}`);
      expect(res.status, bad).toBe(400);
      // v2's declared 400: Effect's InvalidRequestError, naming the query as the part at fault.
      expect(await res.json()).toMatchObject({ _tag: "InvalidRequestError", kind: "Query", message: expect.stringMatching(/escapes the project directory/) });
    }
    const env = await server.fetch(`/api/fs/read/.env?directory=${encodeURIComponent(repo.dir)}`);
    expect(env.status).toBe(403);
  });
});

describe("the skill tool", () => {
  it("loads a skill's instructions into an LLM turn", async () => {
    llm.setScript((request) => {
      const last = request.body.messages.at(-1)!;
      if (last.role === "tool") return { kind: "text", text: "Skill loaded." };
      if (/use the deploy skill/.test(JSON.stringify(request.body.messages.at(-1)?.content)))
        return { kind: "tool", calls: [{ name: "skill", args: { name: "deploy" } }] };
      return defaultScript(request);
    });
    try {
      const session = (await sdk().session.create({})).data as { id: string };
      const res = await server.fetch(
        `/session/${session.id}/message`,
        jsonInit("POST", { parts: [{ type: "text", text: "use the deploy skill" }] }),
      );
      expect(res.status).toBe(200);
      const tools = llm.requests.at(-2)!.body.tools!.map((t) => t.function.name);
      expect(tools).toContain("skill");
      const messages = (await sdk().session.messages({ sessionID: session.id })).data as {
        parts: { type: string; tool?: string; state?: { status: string; output?: string; title?: string } }[];
      }[];
      const part = messages.flatMap((m) => m.parts).find((p) => p.tool === "skill")!;
      expect(part.state).toMatchObject({ status: "completed", title: "Loaded skill: deploy" });
      expect(part.state!.output).toContain("Run make deploy, then check the dashboard.");
    } finally {
      llm.setScript(undefined);
    }
  });
});
