// AgentPool manifests (agentpool.yml): native agents run on the LLM backend with their own system
// prompt, model and tools, `acp` agents on the ACP backend, teams are listed as agents; manifests
// are read in AgentPool's order (global, AGENTPOOL_CONFIG, project) and OpenCode's own config wins
// on a name clash; invalid entries and files are reported in the log, naming the place, once.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startLlmProject } from "../support/llm-project.js";
import type { ChatRequest, ScriptedLlm } from "../support/scripted-llm.js";
import { jsonInit, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

type AgentInfo = { name: string; mode: string; description?: string; prompt?: string; model?: { providerID: string; modelID: string } };
type Reply = {
  info: { role: string; providerID?: string; modelID?: string; error?: { name: string; data: { message: string } } };
  parts: { type: string; text?: string }[];
};

let llm: ScriptedLlm;
let server: TestServer;
let dir: string;

const manifest = {
  agents: {
    writer: {
      type: "native",
      model: "fake:writer-model",
      description: "Writes the first draft",
      system_prompt: "You are the writer. Always write drafts.",
      toolsets: [{ type: "file_access" }, { type: "search" }],
      retries: 2,
    },
    critic: {
      model: "fake:m",
      display_name: "The critic",
      system_prompt: ["You are the critic.", { type: "static", content: "Be harsh but fair." }],
    },
    helper: {
      type: "acp",
      provider: "custom",
      command: path.join(ROOT, "node_modules/.bin/tsx"),
      args: [path.join(ROOT, "test/support/acp-agent.ts")],
      description: "A test agent over ACP, from a manifest",
    },
    claude: { type: "acp", provider: "claude", env: { PATH: "/nonexistent" } },
    broken: { type: "wizard", model: "fake:m" },
    misspelt: { model: "fake:m", sytem_prompt: "typo" },
    junior: { inherits: "writer", description: "Writes like the writer, but junior" },
  },
  file_agents: { reviewer: "agents/reviewer.md", planner: { type: "opencode", path: "agents/planner.md" } },
  teams: { duo: { mode: "parallel", members: ["writer", "critic"], description: "Writer and critic side by side" } },
  jobs: {},
};

beforeAll(async () => {
  // The global manifest and AGENTPOOL_CONFIG's come before the project's, which wins by name.
  const global = path.join(process.env.XDG_CONFIG_HOME!, "agentpool");
  mkdirSync(global, { recursive: true });
  writeFileSync(
    path.join(global, "agentpool.yml"),
    stringify({ agents: { writer: { description: "The global writer" }, globalist: { description: "From the global manifest" } } }),
  );
  const custom = path.join(makeTempDir("agentpool-config"), "custom.yml");
  writeFileSync(custom, stringify({ agents: { customist: { description: "From AGENTPOOL_CONFIG", model: "fake:m" } } }));
  process.env.AGENTPOOL_CONFIG = custom;
  ({ llm, server, repo: { dir } } = await startLlmProject("manifest", {
    models: ["m", "writer-model"],
    config: { agent: { critic: { description: "The critic, as opencode.json describes it" } } },
  }));
  writeFileSync(path.join(dir, "agentpool.yml"), stringify(manifest));
  mkdirSync(path.join(dir, "agents"));
  writeFileSync(path.join(dir, "agents", "reviewer.md"), "---\nname: reviewer\ndescription: Reviews like Claude Code\ntools: Read, Grep\n---\nYou review.\n");
  writeFileSync(path.join(dir, "agents", "planner.md"), "---\ndescription: Plans\nmode: subagent\n---\nYou plan.\n");
  mkdirSync(path.join(dir, "broken-yaml"));
  writeFileSync(path.join(dir, "broken-yaml", "agentpool.yml"), "agents:\n  x: [unclosed\n");
});
afterAll(async () => {
  delete process.env.AGENTPOOL_CONFIG;
  await server.close();
  await llm.stop();
});

async function agents(directory = dir): Promise<AgentInfo[]> {
  return (await (await server.fetch(`/agent?directory=${encodeURIComponent(directory)}`)).json()) as AgentInfo[];
}

async function prompt(agent: string, text: string): Promise<Reply> {
  const session = (await (await server.fetch(`/session?directory=${encodeURIComponent(dir)}`, jsonInit("POST", {}))).json()) as { id: string };
  const res = await server.fetch(`/session/${session.id}/message?directory=${encodeURIComponent(dir)}`, jsonInit("POST", { agent, parts: [{ type: "text", text }] }));
  expect(res.status).toBe(200);
  return (await res.json()) as Reply;
}

const systemOf = (request: ChatRequest) =>
  request.body.messages
    .filter((m) => m.role === "system")
    .map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content)))
    .join("\n");

const logMessages = (level?: number) =>
  server
    .logLines()
    .filter((line) => level === undefined || line.level === level)
    .map((line) => String(line.msg));

describe("AgentPool manifests", () => {
  it("GET /agent and /api/agent list manifest agents and teams with description and mode", async () => {
    const list = await agents();
    const byName = (name: string) => list.find((a) => a.name === name);
    expect(byName("writer")).toMatchObject({ mode: "all", description: "Writes the first draft", model: { providerID: "fake", modelID: "writer-model" } });
    expect(byName("writer")!.prompt).toBe("You are the writer. Always write drafts.");
    expect(byName("helper")).toMatchObject({ mode: "primary", description: "A test agent over ACP, from a manifest" });
    expect(byName("duo")).toMatchObject({ mode: "primary", description: "Writer and critic side by side" });
    // Global and AGENTPOOL_CONFIG manifests, under the project's.
    expect(byName("globalist")?.description).toBe("From the global manifest");
    expect(byName("customist")?.description).toBe("From AGENTPOOL_CONFIG");
    // On a name clash OpenCode's config applies over the manifest's agent: its keys win, the rest stays.
    expect(byName("critic")).toMatchObject({ description: "The critic, as opencode.json describes it", prompt: "You are the critic.\n\nBe harsh but fair." });
    expect(byName("broken")).toBeUndefined();
    const v2 = (await (await server.fetch(`/api/agent?directory=${encodeURIComponent(dir)}`)).json()) as {
      data: { id: string; mode: string; description?: string }[];
    };
    expect(v2.data.find((a) => a.id === "duo")).toMatchObject({ mode: "primary", description: "Writer and critic side by side" });
    expect(v2.data.find((a) => a.id === "writer")).toMatchObject({ mode: "all", description: "Writes the first draft" });
  });

  it("runs native agents on the model they name, with their system prompt and mapped tools", async () => {
    const reply = await prompt("writer", "draft something");
    expect(reply.info).toMatchObject({ providerID: "fake", modelID: "writer-model" });
    const request = llm.requests.findLast((r) => systemOf(r).includes("You are the writer. Always write drafts."))!;
    expect(request.body.model).toBe("writer-model");
    const tools = (request.body.tools ?? []).map((t) => t.function.name);
    expect(tools).toEqual(expect.arrayContaining(["read", "write", "edit", "glob", "grep"]));
    expect(tools).not.toContain("bash");

    await prompt("critic", "judge this");
    const critic = llm.requests.findLast((r) => systemOf(r).includes("You are the critic."))!;
    expect(systemOf(critic)).toContain("Be harsh but fair.");
    expect(systemOf(critic)).not.toContain("You are the writer.");
  });

  it("reads file agents in Claude Code and OpenCode front matter, and `inherits`", async () => {
    const list = await agents();
    const byName = (name: string) => list.find((a) => a.name === name);
    expect(byName("reviewer")).toMatchObject({ description: "Reviews like Claude Code", prompt: "You review." });
    expect(byName("planner")).toMatchObject({ description: "Plans", mode: "subagent", prompt: "You plan." });
    expect(byName("junior")).toMatchObject({
      description: "Writes like the writer, but junior",
      prompt: "You are the writer. Always write drafts.",
      model: { providerID: "fake", modelID: "writer-model" },
    });
  });

  it("reports an unknown agent type and a misspelt key in the log, naming the manifest and the entry, and keeps serving", async () => {
    const file = path.join(dir, "agentpool.yml");
    const errors = logMessages(50);
    expect(errors).toContain(`Invalid AgentPool manifest ${file}: agents.broken.type: unknown agent type "wizard"; AgentPool knows native, acp, agui, claude_code`);
    expect(errors).toContain(`Invalid AgentPool manifest ${file}: agents.misspelt: unknown key "sytem_prompt"`);
    expect((await agents()).some((a) => a.name === "writer")).toBe(true);
  });

  it("lists the keys it ignores once, as one warning per manifest", async () => {
    await agents();
    await agents();
    const warnings = logMessages(40).filter((m) => m.includes("ignored (not supported here)"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("jobs");
    expect(warnings[0]).toContain("agents.writer.retries");
    expect(warnings[0]).toContain("agents.writer.toolsets: search");
  });

  it("reports a manifest that is not valid YAML with its place, and still lists the other agents", async () => {
    const sub = path.join(dir, "broken-yaml");
    const list = await agents(sub);
    expect(list.some((a) => a.name === "writer")).toBe(true);
    const error = logMessages(50).find((m) => m.includes(path.join(sub, "agentpool.yml")));
    expect(error).toMatch(/^Invalid AgentPool manifest .*broken-yaml\/agentpool\.yml: .*line/);
  });

  it("runs an `acp` agent with provider: custom as an external agent over ACP", async () => {
    const reply = await prompt("helper", "hello there");
    expect(reply.info).toMatchObject({ providerID: "acp", modelID: "helper" });
    expect(reply.parts.find((p) => p.type === "text")?.text).toBe("Hello from the ACP agent: hello there");
  });

  it("answers a named ACP provider whose command is not installed with what to install", async () => {
    const reply = await prompt("claude", "hello");
    expect(reply.info.error?.data.message).toBe(
      'ACP agent claude: the command "claude-code-acp" is not installed (not found on PATH); install it with: npm install -g @zed-industries/claude-code-acp',
    );
  });
});
