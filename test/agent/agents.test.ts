// The agent pool's definitions: built-in agents, the `agent` key of opencode.json and markdown
// agents in .opencode/agent/, listed by GET /agent and used by prompts (prompt, tools, model).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sdkV2 } from "../support/sdk.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLlmProject } from "../support/llm-project.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { jsonInit, type TestServer } from "../support/server.js";

type AgentInfo = {
  name: string;
  mode: string;
  native?: boolean;
  hidden?: boolean;
  description?: string;
  prompt?: string;
  model?: { providerID: string; modelID: string };
  permission: { permission: string; pattern: string; action: string }[];
};

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
const sdk = () => sdkV2({ baseUrl: server.url, directory: repo.dir });

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("agents", {
    models: ["m", "other"],
    config: {
      agent: {
        build: { prompt: "You are the project's builder." },
        explore: { disable: true },
        docs: { description: "Writes docs", mode: "primary", tools: { bash: false } },
      },
    },
  }));
  mkdirSync(path.join(repo.dir, ".opencode", "agent"), { recursive: true });
  writeFileSync(
    path.join(repo.dir, ".opencode", "agent", "reviewer.md"),
    [
      "---",
      "description: Reviews code",
      "mode: subagent",
      "model: fake/other",
      "tools:",
      "  write: false",
      "permission:",
      "  bash: deny",
      "---",
      "You review code carefully.",
      "",
    ].join("\n"),
  );
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

describe("app.agents", () => {
  it("lists the built-in agents, the configured ones and the markdown ones", async () => {
    const agents = (await sdk().app.agents()).data as AgentInfo[];
    // Upstream's order: the default agent, then by name.
    expect(agents.map((a) => a.name)).toEqual(["build", "compaction", "docs", "general", "plan", "reviewer", "summary", "title"]);
    expect(agents.find((a) => a.name === "build")).toMatchObject({
      mode: "primary",
      native: true,
      prompt: "You are the project's builder.",
    });
    expect(agents.filter((a) => a.hidden).map((a) => a.name)).toEqual(["compaction", "summary", "title"]);
    const reviewer = agents.find((a) => a.name === "reviewer")!;
    expect(reviewer).toMatchObject({
      mode: "subagent",
      native: false,
      description: "Reviews code",
      prompt: "You review code carefully.",
      model: { providerID: "fake", modelID: "other" },
    });
    expect(reviewer.permission).toContainEqual({ permission: "bash", pattern: "*", action: "deny" });
    expect(agents.find((a) => a.name === "plan")!.permission).toContainEqual({ permission: "edit", pattern: "*", action: "deny" });
  });
});

describe("prompting an agent", () => {
  it("runs with the agent's prompt, model and tools", async () => {
    const sessionID = ((await sdk().session.create({})).data as { id: string }).id;
    const res = await server.fetch(
      `/session/${sessionID}/message`,
      jsonInit("POST", { agent: "reviewer", parts: [{ type: "text", text: "review this" }] }),
    );
    const reply = (await res.json()) as { info: { agent: string; modelID: string } };
    expect(reply.info).toMatchObject({ agent: "reviewer", modelID: "other" });
    const request = llm.requests.filter((r) => r.headers["x-session-id"] === sessionID && r.body.tools).at(-1)!;
    expect(JSON.stringify(request.body.messages[0])).toContain("You review code carefully.");
    const tools = request.body.tools!.map((t) => t.function.name);
    expect(tools).toContain("read");
    expect(tools).not.toContain("write");
  });

  it("refuses a disabled agent like an unknown one", async () => {
    const sessionID = ((await sdk().session.create({})).data as { id: string }).id;
    const res = await server.fetch(
      `/session/${sessionID}/message`,
      jsonInit("POST", { agent: "explore", parts: [{ type: "text", text: "x" }] }),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { data: { message: string } }).data.message).toBe("Agent not found: explore");
  });
});
