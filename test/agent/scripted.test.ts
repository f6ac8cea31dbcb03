// The `scripted` provider: replies from a script file instead of a model, with tool calls that
// really run through the tools and the permission rules; and the bundled demo script that a
// server with no provider falls back to.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sdkV2 } from "../support/sdk.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseScript, segments } from "../../src/agent/scripted/script.js";
import type { EventLike } from "../support/event-sequence.js";
import { makeRepo } from "../support/git.js";
import { openEventReader } from "../support/sse.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";

type ToolState = { status: string; input?: Record<string, unknown>; output?: string; error?: string };
type Part = { type: string; text?: string; tool?: string; state?: ToolState };
type Reply = {
  info: { role: string; finish?: string; providerID?: string; modelID?: string; error?: { name: string; data: { message: string } } };
  parts: Part[];
};

describe("the demo script, while no key is known", () => {
  const DEMO = { providerID: "scripted", modelID: "demo" };
  let server: TestServer;
  let dir: string;
  const sdk = () => sdkV2({ baseUrl: server.url, directory: dir });

  beforeAll(async () => {
    dir = makeRepo("demo").dir;
    server = await startTestServer({ projectDirectory: dir });
  });
  afterAll(() => server.close());

  async function prompt(text: string): Promise<{ sessionID: string; reply: Reply }> {
    const sessionID = ((await sdk().session.create({})).data as { id: string }).id;
    const res = await server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { model: DEMO, parts: [{ type: "text", text }] }));
    expect(res.status).toBe(200);
    return { sessionID, reply: (await res.json()) as Reply };
  }

  it("is offered next to OpenCode Zen's free models, which stay the default as upstream", async () => {
    const providers = (await sdk().config.providers()).data!;
    expect(providers.providers.map((p) => p.id)).toEqual(["opencode", "scripted"]);
    expect(providers.providers[1]!.name).toMatch(/demo/i);
    expect(providers.default).toEqual({ opencode: "big-pickle", scripted: "demo" });
    expect((await sdk().provider.list()).data!.connected).toEqual(["opencode", "scripted"]);
  });

  it("answers a prompt, and titles the session with the demo model", async () => {
    const { sessionID, reply } = await prompt("hello there");
    expect(reply.info).toMatchObject({ role: "assistant", providerID: "scripted", modelID: "demo", finish: "stop" });
    const text = reply.parts.find((p) => p.type === "text")?.text;
    expect(text).toContain('You said: "hello there"');
    await expect.poll(async () => ((await sdk().session.get({ sessionID })).data as { title: string }).title).toBe("hello there");
  });

  it("runs a real bash command for 'run a command' and continues after its result", async () => {
    writeFileSync(path.join(dir, "visible-to-ls.txt"), "x");
    const { sessionID } = await prompt("run a command");
    const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
    const parts = messages.flatMap((m) => m.parts);
    const bash = parts.find((p) => p.tool === "bash");
    expect(bash?.state).toMatchObject({ status: "completed", input: { command: "ls -la" } });
    expect(bash?.state?.output).toContain("visible-to-ls.txt");
    expect(parts.filter((p) => p.type === "reasoning")).toHaveLength(1);
    expect(parts.at(-2)?.text ?? parts.findLast((p) => p.type === "text")?.text).toContain("Done.");
  });

  it("asks permission before reading outside the project, and 'once' lets the read run", async () => {
    const sessionID = ((await sdk().session.create({})).data as { id: string }).id;
    const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(dir)}`, "event");
    await reader.next();
    const held = server.fetch(
      `/session/${sessionID}/message`,
      jsonInit("POST", { model: DEMO, parts: [{ type: "text", text: "read a system file" }] }),
    );
    const asked = (await reader.next<EventLike>((e) => e.type === "permission.asked", 10_000)).properties as {
      id: string;
      permission: string;
    };
    expect(asked.permission).toBe("external_directory");
    await sdk().permission.reply({ requestID: asked.id, reply: "once" });
    expect((await held).status).toBe(200);
    reader.close();
    const parts = ((await sdk().session.messages({ sessionID })).data as Reply[]).flatMap((m) => m.parts);
    const read = parts.find((p) => p.tool === "read");
    expect(read?.state?.status).toBe("completed");
    expect(read?.state?.output).toContain(readFileSync("/etc/os-release", "utf8").split("\n")[0]);
  });
});

describe("a script the user writes", () => {
  let server: TestServer;
  let dir: string;
  const sdk = () => sdkV2({ baseUrl: server.url, directory: dir });
  const script = [
    "name: My script",
    "chunkDelayMs: 0",
    "rules:",
    "  - match: '^make (\\w+)$'",
    "    steps:",
    "      - text: 'Creating the file for: {{prompt}}'",
    "      - tool: write",
    "        input: { filePath: made.txt, content: 'made by a script' }",
    "      - tool: todowrite",
    "        input: { todos: [{ id: '1', content: 'check made.txt', status: pending, priority: low }] }",
    "      - delay: 10",
    "      - text: Both tools ran.",
    "  - match: 'pick'",
    "    steps:",
    "      - question: Pick one",
    "        options: [red, blue]",
    "      - text: Picked.",
    "  - match: 'break'",
    "    steps:",
    "      - error: the script says no",
    "  - steps:",
    "      - text: 'fallback: {{prompt}}'",
  ].join("\n");

  beforeAll(async () => {
    dir = makeRepo("user-script").dir;
    writeFileSync(path.join(dir, "replies.yaml"), script);
    const config = { model: "scripted/mine", provider: { scripted: { options: { script: "replies.yaml" }, models: { mine: {} } } } };
    writeFileSync(path.join(dir, "opencode.json"), JSON.stringify(config));
    server = await startTestServer({ projectDirectory: dir });
  });
  afterAll(() => server.close());

  async function run(text: string): Promise<{ sessionID: string; messages: Reply[] }> {
    const sessionID = ((await sdk().session.create({})).data as { id: string }).id;
    const res = await server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { parts: [{ type: "text", text }] }));
    expect(res.status).toBe(200);
    return { sessionID, messages: (await sdk().session.messages({ sessionID })).data as Reply[] };
  }

  it("plays a rule's steps: text, two tool calls in one step, then the rest after their results", async () => {
    const { sessionID, messages } = await run("make notes");
    const assistants = messages.filter((m) => m.info.role === "assistant");
    expect(assistants.map((m) => m.info.finish)).toEqual(["tool-calls", "stop"]);
    expect(assistants[0]!.parts.find((p) => p.type === "text")?.text).toBe("Creating the file for: make notes");
    expect(assistants[0]!.parts.filter((p) => p.type === "tool").map((p) => [p.tool, p.state?.status])).toEqual([
      ["write", "completed"],
      ["todowrite", "completed"],
    ]);
    expect(assistants[1]!.parts.find((p) => p.type === "text")?.text).toBe("Both tools ran.");
    expect(readFileSync(path.join(dir, "made.txt"), "utf8")).toBe("made by a script");
    const todos = await (await server.fetch(`/session/${sessionID}/todo`)).json();
    expect(todos).toEqual([{ content: "check made.txt", status: "pending", priority: "low" }]);
  });

  it("asks a question through the question tool and goes on with the answer", async () => {
    const sessionID = ((await sdk().session.create({})).data as { id: string }).id;
    const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(dir)}`, "event");
    await reader.next();
    const held = server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { parts: [{ type: "text", text: "pick a colour" }] }));
    const asked = (await reader.next<EventLike>((e) => e.type === "question.asked", 10_000)).properties as {
      id: string;
      questions: { question: string; options: { label: string }[] }[];
    };
    expect(asked.questions[0]).toMatchObject({ question: "Pick one", options: [{ label: "red" }, { label: "blue" }] });
    await sdk().question.reply({ requestID: asked.id, answers: [["blue"]] });
    expect((await held).status).toBe(200);
    reader.close();
    const parts = ((await sdk().session.messages({ sessionID })).data as Reply[]).flatMap((m) => m.parts);
    expect(parts.find((p) => p.tool === "question")?.state?.output).toContain("blue");
    expect(parts.findLast((p) => p.type === "text")?.text).toBe("Picked.");
  });

  it("fails a run with the script's error message", async () => {
    const { messages } = await run("break it");
    expect(messages.at(-1)!.info.error).toMatchObject({ name: "APIError", data: { message: "the script says no" } });
  });

  it("falls back to the last rule and fills in the prompt", async () => {
    const { messages } = await run("anything else");
    expect(messages.at(-1)!.parts.find((p) => p.type === "text")?.text).toBe("fallback: anything else");
  });

  it("reports a broken script as the run's error, naming the place", async () => {
    writeFileSync(path.join(dir, "replies.yaml"), "rules:\n  - steps:\n      - txt: typo\n");
    try {
      const { messages } = await run("hello");
      expect(JSON.stringify(messages.at(-1)!.info.error)).toMatch(/replies\.yaml: rules\[0\]\.steps\[0\]: a step has exactly one of/);
    } finally {
      writeFileSync(path.join(dir, "replies.yaml"), script);
    }
    expect(existsSync(path.join(dir, "replies.yaml"))).toBe(true);
  });
});

describe("script units", () => {
  it("cuts a rule into model calls after each run of tool calls", () => {
    const steps = parseScript("rules:\n  - steps: [{text: a}, {tool: x}, {tool: y}, {text: b}, {question: q}]\n", "s.yaml").rules[0]!.steps;
    expect(segments(steps)).toEqual([
      [{ text: "a" }, { tool: "x" }, { tool: "y" }],
      [{ text: "b" }, { question: "q" }],
    ]);
  });

  it("refuses scripts without rules or with a bad pattern", () => {
    expect(() => parseScript("name: x\n", "s.yaml")).toThrow(/s\.yaml: rules: a script has a non-empty list of rules/);
    expect(() => parseScript("rules:\n  - match: '('\n    steps: []\n", "s.yaml")).toThrow(/s\.yaml: rules\[0\]/);
  });
});
