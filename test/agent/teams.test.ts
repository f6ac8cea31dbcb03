// AgentPool teams as agents: prompting a team runs each member as a child session of the prompted
// session, shown as sub-agents (one live `task` part per member linked to its child session), in
// parallel or in sequence (each member gets the previous one's output), with the shared prompt;
// the reply lists each member's result. Abort stops every member; a failing member fails its part
// (parallel) or stops the chain (sequential); a team with an unknown member fails clearly.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { EventLike } from "../support/event-sequence.js";
import { startLlmProject } from "../support/llm-project.js";
import { lastUserText, type ChatRequest, type ScriptedLlm } from "../support/scripted-llm.js";
import { jsonInit, type TestServer } from "../support/server.js";
import { openEventReader } from "../support/sse.js";

type ToolState = { status: string; input?: Record<string, unknown>; output?: string; error?: string; metadata?: Record<string, unknown> };
type Part = { type: string; text?: string; tool?: string; callID?: string; state?: ToolState };
type Info = { id: string; role: string; agent?: string; error?: { name: string; data: { message: string } } };
type Reply = { info: Info; parts: Part[] };
type Session = { id: string; parentID?: string; title: string };

let llm: ScriptedLlm;
let server: TestServer;
let dir: string;

const manifest = {
  agents: {
    writer: { model: "fake:m", system_prompt: "You are the writer." },
    critic: { model: "fake:m", system_prompt: "You are the critic." },
    slow: { model: "fake:m", system_prompt: "You are slow." },
    failing: { model: "fake:m", system_prompt: "You always fail." },
  },
  teams: {
    duo: { mode: "parallel", members: ["writer", "critic"], shared_prompt: "Keep it short." },
    chain: { mode: "sequential", members: ["writer", "critic"], shared_prompt: "Keep it short." },
    sleepy: { mode: "parallel", members: ["writer", "slow"] },
    shaky: { mode: "parallel", members: ["failing", "writer"] },
    broken_chain: { mode: "sequential", members: ["failing", "critic"] },
    ghostly: { mode: "parallel", members: ["writer", "ghost"] },
    review: { mode: "sequential", members: ["duo", "critic"] },
    loop_a: { mode: "parallel", members: ["loop_b"] },
    loop_b: { mode: "parallel", members: ["loop_a"] },
  },
};

const system = (request: ChatRequest) =>
  request.body.messages
    .filter((m) => m.role === "system")
    .map((m) => String(m.content))
    .join("\n");

beforeAll(async () => {
  ({ llm, server, repo: { dir } } = await startLlmProject("teams"));
  writeFileSync(path.join(dir, "agentpool.yml"), stringify(manifest));
  llm.setScript((request) => {
    const prompt = system(request);
    if (prompt.includes("You are the writer.")) return { kind: "text", text: `WRITER says: ${lastUserText(request)}` };
    if (prompt.includes("You are the critic.")) return { kind: "text", text: `CRITIC says: ${lastUserText(request)}` };
    if (prompt.includes("You are slow.")) return { kind: "text", text: "slow ".repeat(100), delayMs: 100 };
    if (prompt.includes("You always fail.")) return { kind: "error", status: 400, message: "member exploded" };
    return undefined;
  });
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

const q = () => `directory=${encodeURIComponent(dir)}`;

async function newSession(): Promise<string> {
  return ((await (await server.fetch(`/session?${q()}`, jsonInit("POST", {}))).json()) as Session).id;
}

function send(sessionID: string, agent: string, text: string): Promise<Response> {
  return server.fetch(`/session/${sessionID}/message?${q()}`, jsonInit("POST", { agent, parts: [{ type: "text", text }] }));
}

async function children(sessionID: string): Promise<Session[]> {
  return (await (await server.fetch(`/session/${sessionID}/children?${q()}`)).json()) as Session[];
}

async function messages(sessionID: string): Promise<Reply[]> {
  return (await (await server.fetch(`/session/${sessionID}/message?${q()}`)).json()) as Reply[];
}

const taskParts = (reply: Reply) => reply.parts.filter((p) => p.type === "tool" && p.tool === "task");
const userText = (history: Reply[]) => history.find((m) => m.info.role === "user")!.parts.find((p) => p.type === "text")!.text;

describe("AgentPool teams", () => {
  it("a parallel team runs each member in a child session of its own, shown live as task parts, and answers with both results", async () => {
    const sessionID = await newSession();
    const reader = await openEventReader(`${server.url}/event?${q()}`, "event");
    const reply = (await (await send(sessionID, "duo", "write about cats")).json()) as Reply;
    expect(reply.info).toMatchObject({ role: "assistant", agent: "duo" });
    expect(reply.info.error).toBeUndefined();

    const kids = await children(sessionID);
    expect(kids).toHaveLength(2);
    const tasks = taskParts(reply);
    expect(tasks.map((p) => p.state!.input!.subagent_type)).toEqual(["writer", "critic"]);
    for (const part of tasks) {
      expect(part.state!.status).toBe("completed");
      expect(kids.map((k) => k.id)).toContain(part.state!.metadata!.sessionId);
      expect(part.state!.metadata!.parentSessionId).toBe(sessionID);
    }
    // Each member got the shared prompt and the user's prompt.
    for (const kid of kids) expect(userText(await messages(kid.id))).toBe("Keep it short.\n\nwrite about cats");
    const text = reply.parts.find((p) => p.type === "text")!.text!;
    expect(text).toContain("## writer\n\nWRITER says: Keep it short.\n\nwrite about cats");
    expect(text).toContain("## critic\n\nCRITIC says: Keep it short.\n\nwrite about cats");

    // Live: each task part linked its child session while it was running.
    const frames = reader.frames as EventLike[];
    const running = frames.filter((e) => {
      const part = (e.properties as { part?: Part }).part;
      return e.type === "message.part.updated" && part?.tool === "task" && part.state?.status === "running" && !!part.state.metadata?.sessionId;
    });
    expect(running.length).toBeGreaterThanOrEqual(2);
    reader.close();
  });

  it("a sequential team hands each member the previous member's output", async () => {
    const sessionID = await newSession();
    const reply = (await (await send(sessionID, "chain", "write about dogs")).json()) as Reply;
    expect(reply.info.error).toBeUndefined();
    const tasks = taskParts(reply);
    expect(tasks.map((p) => p.state!.input!.subagent_type)).toEqual(["writer", "critic"]);
    const writerChild = tasks[0]!.state!.metadata!.sessionId as string;
    const criticChild = tasks[1]!.state!.metadata!.sessionId as string;
    expect(userText(await messages(writerChild))).toBe("Keep it short.\n\nwrite about dogs");
    expect(userText(await messages(criticChild))).toBe("Keep it short.\n\nWRITER says: Keep it short.\n\nwrite about dogs");
    expect(reply.parts.find((p) => p.type === "text")!.text).toContain("CRITIC says: Keep it short.\n\nWRITER says:");
  });

  it("abort mid-team stops every member, and the team's reply ends as aborted", async () => {
    const sessionID = await newSession();
    const held = send(sessionID, "sleepy", "take your time");
    // Wait until the slow member streams.
    await expect
      .poll(async () => {
        const kids = await children(sessionID);
        const histories = await Promise.all(kids.map((k) => messages(k.id)));
        return histories.some((h) => h.some((m) => m.parts.some((p) => p.type === "text" && p.text?.startsWith("slow"))));
      }, { timeout: 15_000 })
      .toBe(true);
    expect((await server.fetch(`/session/${sessionID}/abort?${q()}`, { method: "POST" })).status).toBe(200);
    const reply = (await (await held).json()) as Reply;
    expect(reply.info.error?.name).toBe("MessageAbortedError");
    const slow = taskParts(reply).find((p) => p.state!.input!.subagent_type === "slow")!;
    expect(slow.state!.status).toBe("error");
    const slowChild = (await children(sessionID)).find((k) => k.title.includes("@slow"))!;
    const last = (await messages(slowChild.id)).at(-1)!;
    expect(last.info.error?.name).toBe("MessageAbortedError");
    const status = (await (await server.fetch(`/session/status?${q()}`)).json()) as Record<string, unknown>;
    expect(Object.keys(status)).not.toContain(slowChild.id);
  });

  it("a failing member of a parallel team fails its own part; the others still answer", async () => {
    const sessionID = await newSession();
    const reply = (await (await send(sessionID, "shaky", "try it")).json()) as Reply;
    expect(reply.info.error).toBeUndefined();
    const [failing, writer] = taskParts(reply);
    expect(failing!.state).toMatchObject({ status: "error", error: "member exploded" });
    expect(failing!.state!.metadata!.sessionId).toBeTruthy();
    expect(writer!.state!.status).toBe("completed");
    const text = reply.parts.find((p) => p.type === "text")!.text!;
    expect(text).toContain("## failing (failed)\n\nError: member exploded");
    expect(text).toContain("## writer\n\nWRITER says: try it");
  });

  it("a failing member stops a sequential team with a clear error; later members do not run", async () => {
    const sessionID = await newSession();
    const reply = (await (await send(sessionID, "broken_chain", "try it")).json()) as Reply;
    expect(reply.info.error).toMatchObject({ name: "UnknownError", data: { message: "Team broken_chain stopped at failing: member exploded" } });
    expect(taskParts(reply)).toHaveLength(1);
    expect(await children(sessionID)).toHaveLength(1);
  });

  it("a team can be a member: the nested team's members run as children of its own child session", async () => {
    const sessionID = await newSession();
    const reply = (await (await send(sessionID, "review", "nest it")).json()) as Reply;
    expect(reply.info.error).toBeUndefined();
    const [duo] = taskParts(reply);
    const duoChild = duo!.state!.metadata!.sessionId as string;
    expect(await children(duoChild)).toHaveLength(2);
    expect(reply.parts.find((p) => p.type === "text")!.text).toContain("## critic\n\nCRITIC says: Team duo (parallel):");
  });

  it("a team that contains itself is refused with the loop named", async () => {
    const reply = (await (await send(await newSession(), "loop_a", "go")).json()) as Reply;
    expect(reply.info.error?.data.message).toBe("Team loop_a contains itself: loop_a -> loop_b -> loop_a");
  });

  it("a team with an unknown member is reported in the log, and prompting it fails with the same message", async () => {
    const problem = "Team ghostly: unknown member ghost (not an agent or team of this project)";
    const sessionID = await newSession();
    const reply = (await (await send(sessionID, "ghostly", "hello")).json()) as Reply;
    expect(reply.info.error).toMatchObject({ name: "UnknownError", data: { message: problem } });
    expect(await children(sessionID)).toHaveLength(0);
    const logged = server.logLines().map((line) => String(line.msg));
    expect(logged).toContain(`Invalid AgentPool manifest ${path.join(dir, "agentpool.yml")}: ${problem}`);
  });
});
