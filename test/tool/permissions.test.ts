// Permissions: rules decide or the user does (permission.asked, then once / always / reject),
// with upstream's outcomes and event order; "always" is remembered for the project.
import { existsSync } from "node:fs";
import path from "node:path";
import { sdkV2 } from "../support/sdk.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceEvents, sequence, type EventLike } from "../support/event-sequence.js";
import { startLlmProject } from "../support/llm-project.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { openEventReader, type EventReader } from "../support/sse.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

type ToolState = { status: string; output?: string; error?: string };
type Part = { type: string; tool?: string; state?: ToolState };
type Reply = { info: { role: string; finish?: string }; parts: Part[] };
type Asked = {
  id: string;
  sessionID: string;
  permission: string;
  patterns: string[];
  always: string[];
  metadata: Record<string, unknown>;
  tool: { messageID: string; callID: string };
};

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
let dataDirectory: string;
const sdk = () => sdkV2({ baseUrl: server.url, directory: repo.dir });
const ASK_BASH = [{ permission: "bash", pattern: "*", action: "ask" }];

beforeAll(async () => {
  dataDirectory = makeTempDir("data");
  ({ llm, repo, server } = await startLlmProject("permissions", { server: { dataDirectory } }));
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

/** Starts a prompt in a new session; answers the session, the held request and its event reader. */
async function start(text: string, permission?: unknown): Promise<{ sessionID: string; held: Promise<Response>; reader: EventReader }> {
  const sessionID = ((await sdk().session.create(permission ? { permission: permission as never } : {})).data as { id: string }).id;
  const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
  await reader.next();
  const held = server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { parts: [{ type: "text", text }] }));
  return { sessionID, held, reader };
}

async function asked(reader: EventReader): Promise<Asked> {
  const event = await reader.next<EventLike>((e) => e.type === "permission.asked", 10_000);
  return event.properties as Asked;
}

async function finish(sessionID: string, reader: EventReader, held: Promise<Response>) {
  expect((await held).status).toBe(200);
  await expect.poll(() => (reader.frames as EventLike[]).some((e) => e.type === "session.idle"), { timeout: 10_000 }).toBe(true);
  reader.close();
  const events = (reader.frames as EventLike[]).filter((e) => (e.properties as { sessionID?: string }).sessionID === sessionID);
  const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
  return { events, messages };
}

describe("asking", () => {
  it("asks, lists the request while pending, and goes on after 'once'", async () => {
    const { sessionID, held, reader } = await start("use bash", ASK_BASH);
    const request = await asked(reader);
    expect(request).toMatchObject({
      sessionID,
      permission: "bash",
      patterns: ["echo hi"],
      always: ["echo *"],
      metadata: { command: "echo hi" },
    });
    expect(request.id).toMatch(/^per_/);
    expect(request.tool.callID).toMatch(/^call_/);
    expect((await sdk().permission.list()).data).toEqual([request]);
    expect(((await sdk().session.status()).data as Record<string, unknown>)[sessionID]).toEqual({ type: "busy" });
    const replied = await server.fetch(`/permission/${request.id}/reply`, jsonInit("POST", { reply: "once" }));
    expect(await replied.json()).toBe(true);
    const { events, messages } = await finish(sessionID, reader, held);
    expect(messages[1]!.parts.find((p) => p.type === "tool")!.state).toMatchObject({ status: "completed", output: "hi\n" });
    expect(events.find((e) => e.type === "permission.replied")?.properties).toEqual({ sessionID, requestID: request.id, reply: "once" });
    expect(sequence(events)).toEqual(sequence(referenceEvents("permission-once")));
    expect((await sdk().permission.list()).data).toEqual([]);
  });

  it("a rejection with feedback fails the tool and the model goes on with it", async () => {
    const { sessionID, held, reader } = await start("use bash", ASK_BASH);
    const request = await asked(reader);
    await sdk().permission.reply({ requestID: request.id, reply: "reject", message: "no thanks" });
    const { events, messages } = await finish(sessionID, reader, held);
    expect(messages[1]!.parts.find((p) => p.type === "tool")!.state).toMatchObject({
      status: "error",
      error: "The user rejected permission to use this specific tool call with the following feedback: no thanks",
    });
    expect(messages.map((m) => m.info.role)).toEqual(["user", "assistant", "assistant"]);
    expect(sequence(events)).toEqual(sequence(referenceEvents("permission-reject")));
  });

  it("a rejection without feedback fails the tool and ends the run", async () => {
    const { sessionID, held, reader } = await start("use bash", ASK_BASH);
    const request = await asked(reader);
    const before = llm.requests.length;
    await sdk().permission.reply({ requestID: request.id, reply: "reject" });
    const { events, messages } = await finish(sessionID, reader, held);
    expect(messages[1]!.parts.find((p) => p.type === "tool")!.state).toMatchObject({
      status: "error",
      error: "The user rejected permission to use this specific tool call.",
    });
    expect(messages.map((m) => m.info.role)).toEqual(["user", "assistant"]);
    expect(messages[1]!.info.finish).toBe("tool-calls");
    expect(llm.requests.slice(before).filter((r) => r.body.tools)).toHaveLength(0);
    expect(sequence(events)).toEqual(sequence(referenceEvents("permission-reject-nomsg")));
  });

  it("remembers 'always' (legacy route) for the project, across sessions and restarts", async () => {
    const first = await start("use bash", ASK_BASH);
    const request = await asked(first.reader);
    const legacy = await server.fetch(`/session/${first.sessionID}/permissions/${request.id}`, jsonInit("POST", { response: "always" }));
    expect(await legacy.json()).toBe(true);
    const { events } = await finish(first.sessionID, first.reader, first.held);
    expect(sequence(events)).toEqual(sequence(referenceEvents("permission-legacy-always")));

    await server.close();
    server = await startTestServer({ projectDirectory: repo.dir, dataDirectory });
    const second = await start("use bash", ASK_BASH);
    const done = await finish(second.sessionID, second.reader, second.held);
    expect(done.events.some((e) => e.type === "permission.asked")).toBe(false);
    expect(done.messages[1]!.parts.find((p) => p.type === "tool")!.state).toMatchObject({ status: "completed", output: "hi\n" });
  });

  it("answers an unknown request with upstream's 404", async () => {
    const res = await server.fetch("/permission/per_doesnotexist0000000000/reply", jsonInit("POST", { reply: "once" }));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      _tag: "PermissionNotFoundError",
      requestID: "per_doesnotexist0000000000",
      message: "Permission request not found: per_doesnotexist0000000000",
    });
  });
});

describe("rules", () => {
  it("asks before a file tool leaves the project, and writes nothing when refused", async () => {
    llm.setScript((req) =>
      llm.lastUserText(req) === "escape" && req.body.messages.at(-1)?.role === "user"
        ? { kind: "tool", calls: [{ name: "write", args: { filePath: "../escaped.txt", content: "x" } }] }
        : undefined,
    );
    const { sessionID, held, reader } = await start("escape");
    const request = await asked(reader);
    expect(request).toMatchObject({ permission: "external_directory", patterns: [`${path.dirname(repo.dir)}/*`] });
    await sdk().permission.reply({ requestID: request.id, reply: "reject", message: "stay inside" });
    const { messages } = await finish(sessionID, reader, held);
    llm.setScript(undefined);
    expect(messages[1]!.parts.find((p) => p.type === "tool")!.state).toMatchObject({
      status: "error",
      error: expect.stringContaining("outside the project directory"),
    });
    expect(existsSync(path.join(path.dirname(repo.dir), "escaped.txt"))).toBe(false);
  });

  it("denies what a rule denies without asking: the plan agent does not edit", async () => {
    const sessionID = ((await sdk().session.create({})).data as { id: string }).id;
    const res = await server.fetch(
      `/session/${sessionID}/message`,
      jsonInit("POST", { agent: "plan", parts: [{ type: "text", text: "write file" }] }),
    );
    expect(res.status).toBe(200);
    const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
    expect(messages[1]!.parts.find((p) => p.type === "tool")!.state).toMatchObject({
      status: "error",
      error: expect.stringContaining("rule that prevents"),
    });
    expect(existsSync(path.join(repo.dir, "hello.txt"))).toBe(false);
  });

  it("drops a pending request when the session is aborted", async () => {
    const { sessionID, reader, held } = await start("slow bash", ASK_BASH);
    await asked(reader);
    await sdk().session.abort({ sessionID });
    expect((await held).status).toBe(200);
    reader.close();
    expect((await sdk().permission.list()).data).toEqual([]);
  });
});
