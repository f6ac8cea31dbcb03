// Tool calls end to end: the model calls OpenCode's tools, the parts go pending -> running ->
// completed (or error) in upstream's order, and the model answers the results in a new step.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sdkV2 } from "../support/sdk.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceEvents, sequence, type EventLike } from "../support/event-sequence.js";
import { startLlmProject } from "../support/llm-project.js";
import { defaultScript, type ScriptedLlm } from "../support/scripted-llm.js";
import { openEventReader } from "../support/sse.js";
import { jsonInit, type TestServer } from "../support/server.js";

type ToolState = {
  status: string;
  input?: Record<string, unknown>;
  output?: string;
  error?: string;
  title?: string;
  metadata?: Record<string, unknown>;
};
type Part = { type: string; tool?: string; callID?: string; state?: ToolState; text?: string; files?: string[] };
type Reply = { info: { id: string; role: string; finish?: string; error?: { name: string } }; parts: Part[] };

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
const sdk = () => sdkV2({ baseUrl: server.url, directory: repo.dir });

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("tools"));
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

/** Runs one prompt to the end; answers the session's messages and its events. */
async function run(text: string): Promise<{ sessionID: string; messages: Reply[]; events: EventLike[]; reply: Reply }> {
  const sessionID = ((await sdk().session.create({})).data as { id: string }).id;
  const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
  await reader.next();
  const res = await server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { parts: [{ type: "text", text }] }));
  expect(res.status).toBe(200);
  const reply = (await res.json()) as Reply;
  await reader.next((e: EventLike) => e.type === "session.idle" && (e.properties as { sessionID: string }).sessionID === sessionID);
  reader.close();
  const events = (reader.frames as EventLike[]).filter(
    (e) => (e.properties as { sessionID?: string }).sessionID === sessionID || e.type.startsWith("file."),
  );
  const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
  return { sessionID, messages, events, reply };
}

const toolPart = (m: Reply) => m.parts.find((p) => p.type === "tool")!;

describe("bash", () => {
  it("streams output into the running part, completes, and the model answers in a new assistant message", async () => {
    const { messages, events, reply } = await run("use bash");
    expect(messages.map((m) => m.info.role)).toEqual(["user", "assistant", "assistant"]);
    expect(messages[1]!.info.finish).toBe("tool-calls");
    const bash = toolPart(messages[1]!);
    expect(bash).toMatchObject({ tool: "bash", callID: expect.stringMatching(/^call_/) });
    expect(bash.state).toMatchObject({
      status: "completed",
      input: { command: "echo hi", description: "Print hi" },
      output: "hi\n",
      title: "echo hi",
      metadata: { output: "hi\n", exit: 0, truncated: false },
    });
    expect(reply.parts.find((p) => p.type === "text")!.text).toBe("Tool finished: hi\n");
    expect(sequence(events)).toEqual(sequence(referenceEvents("tool")));
  });

  it("ends a running command on abort with upstream's completed-with-note part", async () => {
    const sessionID = ((await sdk().session.create({})).data as { id: string }).id;
    const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
    await reader.next();
    await server.fetch(`/session/${sessionID}/prompt_async`, jsonInit("POST", { parts: [{ type: "text", text: "slow bash" }] }));
    await reader.next(
      (e: EventLike) => e.type === "message.part.updated" && (e.properties as { part: Part }).part.state?.status === "running",
    );
    await sdk().session.abort({ sessionID });
    await expect.poll(() => (reader.frames as EventLike[]).filter((e) => e.type === "session.idle").length, { timeout: 10_000 }).toBe(2);
    reader.close();
    const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
    const bash = toolPart(messages[1]!);
    expect(bash.state).toMatchObject({
      status: "completed",
      output: "(no output)\n\n<shell_metadata>\nUser aborted the command\n</shell_metadata>",
      metadata: { exit: null },
    });
    expect(messages[1]!.info.error?.name).toBe("MessageAbortedError");
    const mine = (reader.frames as EventLike[]).filter((e) => (e.properties as { sessionID?: string }).sessionID === sessionID);
    expect(sequence(mine)).toEqual(sequence(referenceEvents("abort-tool")));
  });
});

describe("file tools", () => {
  it("write creates the file, publishes file events and records a patch part", async () => {
    const { messages, events } = await run("write file");
    const file = path.join(repo.dir, "hello.txt");
    expect(readFileSync(file, "utf8")).toBe("hello world\n");
    expect(toolPart(messages[1]!).state).toMatchObject({ status: "completed", output: "Wrote file successfully.", title: "hello.txt" });
    expect(messages[1]!.parts.find((p) => p.type === "patch")).toMatchObject({ files: [file] });
    expect(events.find((e) => e.type === "file.edited")?.properties).toEqual({ file });
    expect(sequence(events)).toEqual(sequence(referenceEvents("write")));
  });

  it("read answers numbered lines", async () => {
    writeFileSync(path.join(repo.dir, "hello.txt"), "hello world\n");
    // The file watcher reports this write (file.watcher.updated) shortly after; let it pass before the run.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const { messages, events } = await run("read file");
    const file = path.join(repo.dir, "hello.txt");
    expect(toolPart(messages[1]!).state!.output).toBe(
      `<path>${file}</path>\n<type>file</type>\n<content>\n1: hello world\n\n(End of file - total 1 lines)\n</content>`,
    );
    expect(sequence(events)).toEqual(sequence(referenceEvents("read")));
  });
});

describe("edit, glob and grep, called by the model", () => {
  // The model's calls for these prompts (the default script has no trigger for them).
  const CALLS: Record<string, { name: string; args: Record<string, unknown> }> = {
    "edit please": { name: "edit", args: { filePath: "greeting.txt", oldString: "hello", newString: "goodbye" } },
    "glob please": { name: "glob", args: { pattern: "**/*.txt" } },
    "grep please": { name: "grep", args: { pattern: "good+bye" } },
  };
  beforeAll(() => {
    writeFileSync(path.join(repo.dir, "greeting.txt"), "hello world\n");
    llm.setScript((request) => {
      const last = request.body.messages.at(-1)!;
      const call = Object.entries(CALLS).find(([text]) => JSON.stringify(last.content).includes(text));
      if (call && last.role === "user") return { kind: "tool", calls: [call[1]] };
      return defaultScript(request);
    });
  });
  afterAll(() => llm.setScript(undefined));

  it("edit changes the file and reports the diff in its metadata", async () => {
    const { messages, events } = await run("edit please");
    const part = toolPart(messages[1]!);
    expect(part.tool).toBe("edit");
    expect(part.state).toMatchObject({ status: "completed", title: "greeting.txt" });
    expect(String((part.state as unknown as { metadata: { diff: string } }).metadata.diff)).toContain("+goodbye world");
    expect(readFileSync(path.join(repo.dir, "greeting.txt"), "utf8")).toBe("goodbye world\n");
    expect(events.some((e) => e.type === "file.edited")).toBe(true);
  });

  it("glob answers the matching files", async () => {
    const { messages } = await run("glob please");
    const part = toolPart(messages[1]!);
    expect(part).toMatchObject({ tool: "glob", state: { status: "completed" } });
    expect(part.state!.output).toContain(path.join(repo.dir, "greeting.txt"));
  });

  it("grep answers the matching lines", async () => {
    const { messages } = await run("grep please");
    const part = toolPart(messages[1]!);
    expect(part).toMatchObject({ tool: "grep", state: { status: "completed" } });
    expect(part.state!.output).toContain("Line 1: goodbye world");
  });
});

describe("task", () => {
  it("runs a sub-agent in a child session and answers with its report", async () => {
    const { sessionID, messages, reply, events } = await run("use task");
    const task = toolPart(messages[1]!);
    const children = (await sdk().session.children({ sessionID })).data as {
      id: string;
      title: string;
      parentID: string;
      agent: string;
      permission: unknown;
    }[];
    expect(children).toHaveLength(1);
    const child = children[0]!;
    expect(child).toMatchObject({
      title: "Say hello (@general subagent)",
      parentID: sessionID,
      agent: "general",
      permission: [{ permission: "task", pattern: "*", action: "deny" }],
    });
    expect(task.state).toMatchObject({
      status: "completed",
      title: "Say hello",
      input: { description: "Say hello", prompt: "say hello from the subagent", subagent_type: "general" },
      output: `<task id="${child.id}" state="completed">\n<task_result>\nHello from fake LLM. You said: say hello from the subagent\n</task_result>\n</task>`,
      metadata: { parentSessionId: sessionID, sessionId: child.id, model: { providerID: "fake", modelID: "m" }, truncated: false },
    });
    // The parent session's events in upstream's order (the child's own run interleaves, as in the capture).
    const parentOf = (events: EventLike[], id: string) =>
      events.filter((e) => (e.properties as { sessionID?: string }).sessionID === id && e.type !== "session.created");
    const reference = referenceEvents("task");
    const referenceParent = (reference.find((e) => e.type === "session.created")!.properties as { sessionID: string }).sessionID;
    expect(sequence(parentOf(events, sessionID))).toEqual(sequence(parentOf(reference, referenceParent)));
    const childMessages = (await sdk().session.messages({ sessionID: child.id })).data as Reply[];
    expect(childMessages.map((m) => m.info.role)).toEqual(["user", "assistant"]);
    expect(reply.parts.find((p) => p.type === "text")!.text).toMatch(/^Tool finished: <task id=/);
  });
});

describe("other tools", () => {
  it("turns a call of an unknown tool into the invalid tool", async () => {
    const { messages, events } = await run("bad tool");
    const part = toolPart(messages[1]!);
    expect(part.tool).toBe("invalid");
    expect(part.state).toMatchObject({ status: "completed", input: { tool: "nonexistent_tool" } });
    expect(part.state!.output).toMatch(/^The arguments provided to the tool are invalid: .*nonexistent_tool/);
    const pending = events.find(
      (e) => e.type === "message.part.updated" && (e.properties as { part: Part }).part.state?.status === "pending",
    );
    expect((pending!.properties as { part: Part }).part.tool).toBe("nonexistent_tool");
    expect(sequence(events)).toEqual(sequence(referenceEvents("bad-tool")));
  });

  it("todowrite stores the session's todos and publishes todo.updated", async () => {
    const { sessionID, events } = await run("make todos");
    const todos = [
      { content: "first thing", status: "in_progress", priority: "high" },
      { content: "second thing", status: "pending", priority: "low" },
    ];
    expect((await sdk().session.todo({ sessionID })).data).toEqual(todos);
    expect(events.find((e) => e.type === "todo.updated")?.properties).toEqual({ sessionID, todos });
    // Upstream's todo.updated lands between pending and running, a race of its internals; ours comes
    // once the todos are stored, while the part runs. The rest of the order is upstream's.
    const withoutTodoEvent = (list: EventLike[]) => sequence(list.filter((e) => e.type !== "todo.updated"));
    expect(withoutTodoEvent(events)).toEqual(withoutTodoEvent(referenceEvents("todos")));
    const tokens = sequence(events);
    expect(tokens.indexOf("todo.updated")).toBeLessThan(tokens.indexOf("part:tool:completed"));
  });
});
