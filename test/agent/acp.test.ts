// External agents over ACP: a real child process (test/support/acp-agent.ts) configured with
// `command`, prompted through the OpenCode API; its stream, tool calls, plan, permission requests,
// file and terminal requests come back as the same parts and events as an LLM agent's.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventLike } from "../support/event-sequence.js";
import { makeRepo } from "../support/git.js";
import { sdkV2 } from "../support/sdk.js";
import { openEventReader, type EventReader } from "../support/sse.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const AGENT_COMMAND = [path.join(ROOT, "node_modules/.bin/tsx"), path.join(ROOT, "test/support/acp-agent.ts")];

type ToolState = {
  status: string;
  input?: Record<string, unknown>;
  output?: string;
  error?: string;
  metadata?: Record<string, unknown>;
  title?: string;
};
type Part = { type: string; text?: string; tool?: string; callID?: string; state?: ToolState };
type Info = {
  role: string;
  providerID?: string;
  modelID?: string;
  agent?: string;
  finish?: string;
  error?: { name: string; data: { message: string } };
};
type Reply = { info: Info; parts: Part[] };

let server: TestServer;
let dir: string;
const sdk = () => sdkV2({ baseUrl: server.url, directory: dir });

beforeAll(async () => {
  dir = makeRepo("acp").dir;
  writeFileSync(path.join(dir, "README.md"), "readme for the acp agent\n");
  const config = { agent: { helper: { description: "A test agent over ACP", command: AGENT_COMMAND } } };
  writeFileSync(path.join(dir, "opencode.json"), JSON.stringify(config));
  server = await startTestServer({ projectDirectory: dir });
});
afterAll(() => server.close());

async function newSession(permission?: unknown): Promise<string> {
  return ((await sdk().session.create(permission ? { permission: permission as never } : {})).data as { id: string }).id;
}

async function listen(): Promise<EventReader> {
  const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(dir)}`, "event");
  await reader.next();
  return reader;
}

function send(sessionID: string, text: string): Promise<Response> {
  return server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { agent: "helper", parts: [{ type: "text", text }] }));
}

async function messages(sessionID: string): Promise<Reply[]> {
  return (await sdk().session.messages({ sessionID })).data as Reply[];
}

function forSession(reader: EventReader, sessionID: string): EventLike[] {
  return (reader.frames as EventLike[]).filter((e) => (e.properties as { sessionID?: string }).sessionID === sessionID);
}

describe("an external agent over ACP", () => {
  it("is listed by GET /agent as a primary agent", async () => {
    const agents = (await sdk().app.agents()).data as { name: string; mode: string; description?: string }[];
    expect(agents.find((a) => a.name === "helper")).toMatchObject({ mode: "primary", description: "A test agent over ACP" });
  });

  it("streams its thought and reply as reasoning and text parts, with the usual events", async () => {
    const sessionID = await newSession();
    const reader = await listen();
    const res = await send(sessionID, "hello there");
    expect(res.status).toBe(200);
    const reply = (await res.json()) as Reply;
    expect(reply.info).toMatchObject({ role: "assistant", providerID: "acp", modelID: "helper", agent: "helper", finish: "stop" });
    expect(reply.parts.find((p) => p.type === "reasoning")?.text).toBe("Thinking about the greeting.");
    expect(reply.parts.find((p) => p.type === "text")?.text).toBe("Hello from the ACP agent: hello there");
    await expect.poll(() => forSession(reader, sessionID).some((e) => e.type === "session.idle")).toBe(true);
    const types = forSession(reader, sessionID).map((e) => e.type);
    expect(types.filter((t) => t === "message.part.delta").length).toBeGreaterThanOrEqual(5);
    expect(types.indexOf("session.status")).toBeLessThan(types.indexOf("message.part.delta"));
    reader.close();
  });

  it("reports its tool calls as tool parts, serves its terminal and file requests, and stores its plan as todos", async () => {
    const sessionID = await newSession();
    expect((await send(sessionID, "use your tools")).status).toBe(200);
    const parts = (await messages(sessionID)).flatMap((m) => m.parts);
    const tool = (callID: string) => parts.find((p) => p.type === "tool" && p.callID === callID)!;
    expect(tool("call_term")).toMatchObject({
      tool: "bash",
      state: { status: "completed", input: { command: "echo acp-terminal-output" } },
    });
    expect(tool("call_term").state!.output).toBe("acp-terminal-output (exit 0)");
    expect(tool("call_read")).toMatchObject({ tool: "read", state: { status: "completed", output: "readme for the acp agent\n" } });
    expect(tool("call_write")).toMatchObject({ tool: "edit", state: { status: "completed", title: "Write acp-written.txt" } });
    expect(String(tool("call_write").state!.metadata!.diff)).toContain("+written over ACP");
    expect(readFileSync(path.join(dir, "acp-written.txt"), "utf8")).toBe("written over ACP\n");
    expect(parts.findLast((p) => p.type === "text")?.text).toBe("All tools ran.");
    const todos = await (await server.fetch(`/session/${sessionID}/todo`)).json();
    expect(todos).toEqual([
      { content: "run a command", priority: "high", status: "completed" },
      { content: "write a file", priority: "medium", status: "in_progress" },
    ]);
  });

  for (const [reply, outcome, status] of [
    ["once", "yes", "completed"],
    ["reject", "no", "error"],
  ] as const) {
    it(`turns its permission request into permission.asked; '${reply}' answers it with ${outcome}`, async () => {
      const sessionID = await newSession([{ permission: "bash", pattern: "*", action: "ask" }]);
      const reader = await listen();
      const held = send(sessionID, "permission please");
      const asked = (await reader.next<EventLike>((e) => e.type === "permission.asked", 15_000)).properties as {
        id: string;
        permission: string;
        patterns: string[];
        tool: { callID: string };
      };
      expect(asked).toMatchObject({ permission: "bash", patterns: ["rm -rf build"], tool: { callID: "call_perm" } });
      await sdk().permission.reply({ requestID: asked.id, reply });
      expect((await held).status).toBe(200);
      reader.close();
      const parts = (await messages(sessionID)).flatMap((m) => m.parts);
      expect(parts.find((p) => p.callID === "call_perm")?.state?.status).toBe(status);
      expect(parts.findLast((p) => p.type === "text")?.text).toBe(`permission outcome: ${outcome}`);
    });
  }

  it("refuses its writes outside the project under the rules (external_directory)", async () => {
    const sessionID = await newSession([{ permission: "external_directory", pattern: "*", action: "deny" }]);
    expect((await send(sessionID, "write outside")).status).toBe(200);
    const text = (await messages(sessionID)).flatMap((m) => m.parts).findLast((p) => p.type === "text")?.text;
    expect(text).toMatch(/^outside write refused: .*outside the project directory/);
    expect(existsSync("/tmp/acp-outside-escape.txt")).toBe(false);
  });

  it("abort sends session/cancel and the run ends as aborted", async () => {
    const sessionID = await newSession();
    const reader = await listen();
    const held = send(sessionID, "wait for me");
    await reader.next<EventLike>(
      (e) => e.type === "message.part.delta" && (e.properties as { sessionID: string }).sessionID === sessionID,
      15_000,
    );
    expect((await sdk().session.abort({ sessionID })).data).toBe(true);
    const reply = (await (await held).json()) as Reply;
    expect(reply.info.error?.name).toBe("MessageAbortedError");
    await expect.poll(() => forSession(reader, sessionID).some((e) => e.type === "session.idle")).toBe(true);
    reader.close();
  });

  it("a crashed agent process ends the run with a clear session.error, and the next prompt starts it again", async () => {
    const sessionID = await newSession();
    const reader = await listen();
    const reply = (await (await send(sessionID, "crash now")).json()) as Reply;
    expect(reply.info.error).toMatchObject({ name: "UnknownError" });
    expect(reply.info.error!.data.message).toMatch(/ACP agent helper exited \(code 3\)/);
    const error = await reader.next<EventLike>((e) => e.type === "session.error", 15_000);
    expect((error.properties as { sessionID: string }).sessionID).toBe(sessionID);
    await expect.poll(() => forSession(reader, sessionID).some((e) => e.type === "session.idle")).toBe(true);
    reader.close();
    const again = (await (await send(sessionID, "hello again")).json()) as Reply;
    expect(again.parts.find((p) => p.type === "text")?.text).toBe("Hello from the ACP agent: hello again");
  });
});
