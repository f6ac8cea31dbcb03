// The user's extensions as OpenCode 1.18.33 runs them: a custom tool written with `tool()` of
// `@opencode-ai/plugin` in .opencode/tool/ (the project has not installed the package) is offered
// to the model with its schema and runs end to end; a plugin in .opencode/plugin/ changes a bash
// call's arguments and result, the model request's temperature and headers, a tool's description
// and a new user message, allows what the rules would ask, adds a tool that talks to the server
// through its SDK client, and hears the events;
// a broken plugin or tool file is reported and the server keeps working.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeProvider, startLlmProject } from "../support/llm-project.js";
import { makeRepo } from "../support/git.js";
import { defaultScript, type ChatRequest, type ScriptedLlm } from "../support/scripted-llm.js";
import { openEventReader } from "../support/sse.js";
import { jsonInit, type TestServer } from "../support/server.js";

type ToolState = { status: string; input?: Record<string, unknown>; output?: string; error?: string; title?: string };
type Part = { type: string; tool?: string; state?: ToolState; text?: string };
type Reply = { info: { id: string; role: string }; parts: Part[] };
type Frame = { directory?: string; payload: { type: string; properties: Record<string, unknown> } };

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
let eventLog: string;

const CUSTOM_TOOL = `
import { tool } from "@opencode-ai/plugin"
import { z } from "zod"

export default tool({
  description: "Greets someone by name",
  args: { name: tool.schema.string().describe("Who to greet"), times: z.number().int().optional() },
  async execute(args, context): Promise<string> {
    return \`Hello, \${args.name}\${"!".repeat(args.times ?? 1)} (agent \${context.agent}, in \${context.directory})\`
  },
})

export const loud = tool({
  description: "Greets loudly",
  args: { name: tool.schema.string() },
  async execute(args) {
    return { title: "shouted", output: args.name.toUpperCase(), metadata: { loud: true } }
  },
})
`;

const plugin = (logFile: string) => `
import type { Plugin } from "@opencode-ai/plugin"
import { tool } from "@opencode-ai/plugin"
import { appendFileSync } from "node:fs"

export const Rewriter: Plugin = async ({ client, directory, worktree, project, serverUrl, $ }) => {
  appendFileSync(${JSON.stringify(logFile)}, JSON.stringify({ start: { directory, worktree, project: project.id, server: String(serverUrl), shell: typeof $ } }) + "\\n")
  return {
    event: async ({ event }) => { appendFileSync(${JSON.stringify(logFile)}, JSON.stringify({ event: event.type }) + "\\n") },
    "tool.execute.before": async (input, output) => {
      if (input.tool === "bash") output.args.command = "echo rewritten by plugin"
    },
    "tool.execute.after": async (input, output) => {
      if (input.tool === "bash") output.output += "(seen by plugin)"
    },
    "chat.params": async (_input, output) => { output.temperature = 0.33; output.options.plugin_option = "on" },
    "chat.headers": async (input, output) => { output.headers["x-plugin-agent"] = input.agent },
    "permission.ask": async (input, output) => { if (input.type === "bash") output.status = "allow" },
    "chat.message": async (_input, output) => {
      for (const part of output.parts) if (part.type === "text") part.text = part.text.replace("PLACEHOLDER", "expanded by plugin")
    },
    "command.execute.before": async (input, output) => {
      output.parts.push({ type: "text", text: "(" + input.command + " sent through the plugin)" } as never)
    },
    "tool.definition": async (input, output) => { if (input.toolID === "greet_loud") output.description = "Greets loudly (described by plugin)" },
    tool: {
      session_count: tool({
        description: "Counts the sessions of the project",
        args: {},
        async execute() {
          const sessions = await client.session.list()
          return \`sessions: \${sessions.data?.length}\`
        },
      }),
    },
  }
}
`;

/** The model calls `name` with `args` when the prompt says `call <name>`, then answers the result. */
function callOnPrompt(calls: Record<string, { name: string; args: Record<string, unknown> }>) {
  llm.setScript((request) => {
    const last = request.body.messages.at(-1)!;
    const call = Object.entries(calls).find(([text]) => JSON.stringify(last.content).includes(text));
    if (call && last.role === "user") return { kind: "tool", calls: [call[1]] };
    return defaultScript(request);
  });
}

async function run(text: string, directory = repo.dir): Promise<{ messages: Reply[]; requests: ChatRequest[] }> {
  const before = llm.requests.length;
  const query = `?directory=${encodeURIComponent(directory)}`;
  const session = (await (await server.fetch(`/session${query}`, jsonInit("POST", {}))).json()) as { id: string };
  const res = await server.fetch(`/session/${session.id}/message${query}`, jsonInit("POST", { parts: [{ type: "text", text }] }));
  expect(res.status).toBe(200);
  await res.json();
  const messages = (await (await server.fetch(`/session/${session.id}/message${query}`)).json()) as Reply[];
  return { messages, requests: llm.requests.slice(before).filter((r) => r.body.tools) };
}

const toolPart = (messages: Reply[]) => messages.flatMap((m) => m.parts).find((p) => p.type === "tool")!;

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("plugins", {
    config: { permission: { bash: "ask" }, command: { hello: { template: "say hello to $ARGUMENTS" } } },
  }));
  eventLog = path.join(repo.dir, "plugin-events.log");
  mkdirSync(path.join(repo.dir, ".opencode", "tool"), { recursive: true });
  mkdirSync(path.join(repo.dir, ".opencode", "plugin"), { recursive: true });
  writeFileSync(path.join(repo.dir, ".opencode", "tool", "greet.ts"), CUSTOM_TOOL);
  writeFileSync(path.join(repo.dir, ".opencode", "plugin", "rewriter.ts"), plugin(eventLog));
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

describe("custom tools", () => {
  it("offers a tool() file to the model with the JSON Schema of its args, named after the file and its exports", async () => {
    callOnPrompt({ "call greet": { name: "greet", args: { name: "Ada", times: 2 } } });
    const { messages, requests } = await run("call greet");
    const offered = requests[0]!.body.tools as { function: { name: string; description: string; parameters: Record<string, unknown> } }[];
    const greet = offered.find((t) => t.function.name === "greet")!.function;
    expect(greet.description).toBe("Greets someone by name");
    expect(greet.parameters).toMatchObject({
      type: "object",
      properties: { name: { type: "string", description: "Who to greet" }, times: { type: "integer" } },
      required: ["name"],
    });
    expect(offered.map((t) => t.function.name)).toEqual(expect.arrayContaining(["greet_loud", "session_count", "bash"]));
    expect(offered.find((t) => t.function.name === "greet_loud")!.function.description).toBe("Greets loudly (described by plugin)");
    expect(toolPart(messages)).toMatchObject({
      tool: "greet",
      state: { status: "completed", title: "", output: `Hello, Ada!! (agent build, in ${repo.dir})` },
    });
    expect(messages.at(-1)!.parts.find((p) => p.type === "text")!.text).toBe(`Tool finished: Hello, Ada!! (agent build, in ${repo.dir})`);
  });

  it("are listed by the experimental tool routes, after the built-in ones", async () => {
    const ids = (await (await server.fetch("/experimental/tool/ids")).json()) as string[];
    expect(ids.slice(-3)).toEqual(["greet", "greet_loud", "session_count"]);
    const tools = (await (await server.fetch("/experimental/tool?provider=fake&model=m")).json()) as { id: string; parameters: unknown }[];
    expect(tools.find((t) => t.id === "greet")?.parameters).toMatchObject({ properties: { name: { type: "string" } } });
  });

  it("takes a title and metadata from a result object", async () => {
    callOnPrompt({ "call loud": { name: "greet_loud", args: { name: "ada" } } });
    const { messages } = await run("call loud");
    expect(toolPart(messages)).toMatchObject({
      tool: "greet_loud",
      state: { status: "completed", title: "shouted", output: "ADA", metadata: { loud: true, truncated: false } },
    });
  });

  it("refuses arguments its schema does not accept with upstream's message, so the model can retry", async () => {
    callOnPrompt({ "call bad greet": { name: "greet", args: { name: 42 } } });
    const { messages } = await run("call bad greet");
    const part = toolPart(messages);
    expect(part.state!.status).toBe("error");
    expect(part.state!.error).toContain("The greet tool was called with invalid arguments");
  });
});

describe("plugins", () => {
  it("change a bash call's command before it runs and its output after, allowing what the rules would ask", async () => {
    const { messages } = await run("use bash");
    expect(toolPart(messages)).toMatchObject({
      tool: "bash",
      state: { status: "completed", output: "rewritten by plugin\n(seen by plugin)", title: "echo rewritten by plugin" },
    });
  });

  it("set the temperature, provider options and headers of the model request (chat.params, chat.headers)", async () => {
    const before = llm.requests.length;
    await run("hello there");
    const request = llm.requests.slice(before).find((r) => r.body.tools)!;
    expect(request.body.temperature).toBe(0.33);
    expect(request.body.plugin_option).toBe("on");
    expect(request.headers["x-plugin-agent"]).toBe("build");
  });

  it("change a new user message before it is stored (chat.message)", async () => {
    const { messages, requests } = await run("say PLACEHOLDER");
    expect(messages[0]!.parts.find((p) => p.type === "text")!.text).toBe("say expanded by plugin");
    expect(JSON.stringify(requests[0]!.body.messages.at(-1)!.content)).toContain("say expanded by plugin");
  });

  it("add parts to what a command sends (command.execute.before)", async () => {
    const session = (await (await server.fetch("/session", jsonInit("POST", {}))).json()) as { id: string };
    const res = await server.fetch(`/session/${session.id}/command`, jsonInit("POST", { command: "hello", arguments: "Ada" }));
    expect(res.status).toBe(200);
    const messages = (await (await server.fetch(`/session/${session.id}/message`)).json()) as Reply[];
    expect(messages[0]!.parts.filter((p) => p.type === "text").map((p) => p.text)).toEqual([
      "say hello to Ada",
      "(hello sent through the plugin)",
    ]);
  });

  it("add tools that reach the server through the plugin's SDK client", async () => {
    callOnPrompt({ "call count": { name: "session_count", args: {} } });
    const { messages } = await run("call count");
    expect(toolPart(messages).state).toMatchObject({ status: "completed", output: expect.stringMatching(/^sessions: \d+$/) });
  });

  it("are started with the plugin input and hear the directory's events", async () => {
    const lines = readFileSync(eventLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toEqual({
      start: { directory: repo.dir, worktree: repo.dir, project: expect.any(String), server: `${server.url}/`, shell: "undefined" },
    });
    const events = lines.flatMap((line) => (typeof line.event === "string" ? [line.event] : []));
    expect(events).toEqual(expect.arrayContaining(["session.created", "message.updated", "message.part.updated", "session.idle"]));
  });
});

describe("a broken extension", () => {
  it("is reported (log and session.error) while the rest of the directory keeps working", async () => {
    const other = makeRepo("plugins-broken");
    writeFileSync(path.join(other.dir, "opencode.json"), JSON.stringify({ model: "fake/m", provider: { fake: fakeProvider(llm.url) } }));
    mkdirSync(path.join(other.dir, ".opencode", "plugin"), { recursive: true });
    mkdirSync(path.join(other.dir, ".opencode", "tools"), { recursive: true });
    writeFileSync(path.join(other.dir, ".opencode", "plugin", "broken.ts"), "export const Broken = async () => { return {\n");
    writeFileSync(path.join(other.dir, ".opencode", "tools", "broken.ts"), "import { nothing } from './missing'\nexport default nothing\n");
    writeFileSync(path.join(other.dir, ".opencode", "tools", "fine.ts"), CUSTOM_TOOL);
    const reader = await openEventReader(`${server.url}/global/event`, "global");
    await reader.next();
    await server.fetch(`/session?directory=${encodeURIComponent(other.dir)}`);
    const errors = () => (reader.frames as Frame[]).filter((f) => f.directory === other.dir && f.payload.type === "session.error");
    await expect.poll(() => errors().length, { timeout: 15_000 }).toBe(2);
    const messages = errors().map((f) => (f.payload.properties.error as { data: { message: string } }).data.message);
    reader.close();
    expect(messages).toEqual([
      expect.stringMatching(/^Failed to load tool .*broken\.ts: /),
      expect.stringMatching(/^Failed to load plugin .*broken\.ts: /),
    ]);
    expect(server.logLines().some((line) => String(line.msg).startsWith("Failed to load plugin"))).toBe(true);

    callOnPrompt({ "call fine": { name: "fine", args: { name: "Bo" } } });
    const { messages: replies } = await run("call fine", other.dir);
    expect(toolPart(replies).state).toMatchObject({ status: "completed", output: expect.stringContaining("Hello, Bo!") });
  });
});
