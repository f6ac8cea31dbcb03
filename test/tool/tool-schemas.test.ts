// What the model is offered: for the build agent, the same tools with the same parameter schemas
// as upstream's first build turn (descriptions aside); sub-agents started by `task` get upstream's
// smaller sets; plan keeps build's tools but cannot start `general`; the experimental tool routes
// list what upstream lists.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLlmProject } from "../support/llm-project.js";
import { lastUserText, type ChatRequest, type ScriptedLlm } from "../support/scripted-llm.js";
import { jsonInit, type TestServer } from "../support/server.js";

type ToolSpec = { type: string; function: { name: string; description: string; parameters: Record<string, unknown> } };

const REFERENCE = path.resolve(__dirname, "../../../shared/reference/opencode-1.18.33/llm-requests/llm-request-build-first-turn.json");
const referenceTools = (JSON.parse(readFileSync(REFERENCE, "utf8")) as { body: { tools: ToolSpec[] } }).body.tools;

/** A schema with every `description` left out, to compare structure only. */
function withoutDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDescriptions);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== "description")
        .map(([key, inner]) => [key, withoutDescriptions(inner)]),
    );
  return value;
}

let llm: ScriptedLlm;
let server: TestServer;

beforeAll(async () => {
  ({ llm, server } = await startLlmProject("tool-schemas"));
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

/** Sends one prompt (to `agent`, default build) and answers the model requests it made. */
async function prompt(text: string, agent?: string): Promise<ChatRequest[]> {
  const before = llm.requests.length;
  const sessionID = ((await (await server.fetch("/session", jsonInit("POST", {}))).json()) as { id: string }).id;
  const res = await server.fetch(
    `/session/${sessionID}/message`,
    jsonInit("POST", { parts: [{ type: "text", text }], ...(agent ? { agent } : {}) }),
  );
  expect(res.status).toBe(200);
  return llm.requests.slice(before).filter((r) => r.body.tools);
}

const names = (request: ChatRequest) => (request.body.tools as ToolSpec[]).map((t) => t.function.name);

describe("the build agent's tools", () => {
  it("are upstream's tools with upstream's parameter schemas", async () => {
    const [request] = await prompt("hello there");
    const ours = request!.body.tools as ToolSpec[];
    // The same tools in the same order (by name), `invalid` not among them.
    expect(names(request!)).toEqual(referenceTools.map((t) => t.function.name));
    for (const upstream of referenceTools) {
      const tool = ours.find((t) => t.function.name === upstream.function.name)!;
      expect(withoutDescriptions(tool.function.parameters), upstream.function.name).toEqual(
        withoutDescriptions(upstream.function.parameters),
      );
      // Each tool teaches its use: a description of comparable substance to upstream's.
      expect(tool.function.description.length, upstream.function.name).toBeGreaterThan(upstream.function.description.length * 0.5);
      for (const [key, property] of Object.entries(tool.function.parameters.properties as Record<string, { description?: string }>))
        expect(property.description, `${upstream.function.name}.${key}`).toBeTruthy();
    }
    // Sub-agents are listed for task, sorted by name as upstream lists them.
    const task = ours.find((t) => t.function.name === "task")!.function.description;
    expect(task.indexOf("- explore:")).toBeGreaterThan(0);
    expect(task.indexOf("- explore:")).toBeLessThan(task.indexOf("- general:"));
  });
});

describe("the experimental tool routes", () => {
  const endpoint = (name: string) =>
    (JSON.parse(readFileSync(path.resolve(path.dirname(REFERENCE), "../endpoints", `${name}.json`), "utf8")) as { body: unknown }).body;

  it("list upstream's tool ids (but websearch and apply_patch, not built here), and the default agent's tools in its order", async () => {
    const ids = (await (await server.fetch("/experimental/tool/ids")).json()) as string[];
    expect(ids).toEqual((endpoint("get_experimental_tool_ids") as string[]).filter((id) => id !== "websearch" && id !== "apply_patch"));
    const tools = (await (await server.fetch("/experimental/tool?provider=fake&model=m")).json()) as { id: string }[];
    const upstream = endpoint("get_experimental_tool_provider_fake_model_fake-model") as { id: string }[];
    expect(tools.map((t) => t.id)).toEqual(upstream.map((t) => t.id));
  });
});

describe("a call of an unknown tool", () => {
  it("becomes upstream's invalid call, naming the same tools", async () => {
    const reference = readFileSync(path.resolve(path.dirname(REFERENCE), "../events-bad-tool.jsonl"), "utf8");
    const upstreamError = /"error":"(Model tried to call unavailable tool [^"]*)"/.exec(reference)![1];
    await prompt("bad tool");
    const sessions = (await (await server.fetch("/session")).json()) as { id: string; title: string }[];
    const latest = sessions[0]!;
    const messages = (await (await server.fetch(`/session/${latest.id}/message`)).json()) as {
      parts: { tool?: string; state?: { input?: { error?: string } } }[];
    }[];
    const part = messages[1]!.parts.find((p) => p.tool === "invalid")!;
    expect(part.state!.input!.error).toBe(upstreamError);
  });
});

describe("other agents' tools", () => {
  it("a general sub-agent started by task gets neither task, todowrite nor question", async () => {
    const requests = await prompt("use task");
    const child = requests.find((r) => lastUserText(r).includes("say hello from the subagent"))!;
    expect(names(child).sort()).toEqual(["bash", "edit", "glob", "grep", "read", "skill", "webfetch", "write"]);
  });

  it("explore only looks: bash, read, glob, grep and webfetch", async () => {
    llm.setScript((request) =>
      lastUserText(request) === "explore please" && request.body.messages.at(-1)?.role === "user"
        ? { kind: "tool", calls: [{ name: "task", args: { description: "Look around", prompt: "find files", subagent_type: "explore" } }] }
        : undefined,
    );
    try {
      const requests = await prompt("explore please");
      const child = requests.find((r) => lastUserText(r) === "find files")!;
      expect(names(child).sort()).toEqual(["bash", "glob", "grep", "read", "webfetch"]);
    } finally {
      llm.setScript(undefined);
    }
  });

  it("plan is offered build's tools, and task lists only explore", async () => {
    const [request] = await prompt("hello plan", "plan");
    expect(names(request!).sort()).toEqual(referenceTools.map((t) => t.function.name).sort());
    const task = (request!.body.tools as ToolSpec[]).find((t) => t.function.name === "task")!.function.description;
    expect(task).toContain("- explore:");
    expect(task).not.toContain("- general:");
  });
});
