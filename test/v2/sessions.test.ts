// The v2 session routes (/api/session/*) through @opencode-ai/sdk/v2, on the same engine as v1:
// create, prompt (admitted, then answered), wait, messages and context in the v2 shapes,
// interrupt, agent and model switches, compaction, revert stage/clear/commit, and the
// permission and question requests of a run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventLike } from "../support/event-sequence.js";
import { startLlmProject } from "../support/llm-project.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { sdkV2 } from "../support/sdk.js";
import { openEventReader, sseBlocks, type EventReader } from "../support/sse.js";
import type { TestServer } from "../support/server.js";

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string; rootCommit: string };
let client: ReturnType<typeof sdkV2>;

type Message = {
  id: string;
  type: string;
  text?: string;
  content?: { type: string; text?: string; name?: string; state?: { status: string } }[];
};

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("v2-sessions"));
  client = sdkV2({ baseUrl: server.url, directory: repo.dir });
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

async function newSession(model = true): Promise<string> {
  const res = await client.v2.session.create({
    location: { directory: repo.dir },
    ...(model ? { model: { id: "m", providerID: "fake" } } : {}),
  });
  return (res.data as { data: { id: string } }).data.id;
}

async function prompt(sessionID: string, text: string) {
  return (await client.v2.session.prompt({ sessionID, prompt: { text } })).data as {
    data: { id: string; admittedSeq: number; delivery: string };
  };
}

async function messages(sessionID: string): Promise<Message[]> {
  return ((await client.v2.session.messages({ sessionID })).data as { data: Message[] }).data;
}

async function events(): Promise<EventReader> {
  const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
  await reader.next();
  return reader;
}

describe("v2 sessions", () => {
  it("create, get, list with paging", async () => {
    const id = await newSession();
    const got = (await client.v2.session.get({ sessionID: id })).data as {
      data: { id: string; model?: unknown; location: unknown; projectID: string };
    };
    expect(got.data).toMatchObject({
      id,
      model: { id: "m", providerID: "fake" },
      location: { directory: repo.dir },
      projectID: repo.rootCommit,
    });
    await newSession();
    const first = (await client.v2.session.list({ directory: repo.dir, limit: 1 })).data as {
      data: { id: string }[];
      cursor: { next?: string };
    };
    expect(first.data).toHaveLength(1);
    expect(first.cursor.next).toBeTruthy();
    const second = (await client.v2.session.list({ directory: repo.dir, limit: 1, cursor: first.cursor.next })).data as {
      data: { id: string }[];
    };
    expect(second.data[0]!.id).not.toBe(first.data[0]!.id);
    const missing = await client.v2.session.get({ sessionID: "ses_missing" });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ _tag: "SessionNotFoundError", sessionID: "ses_missing" });
  });

  it("a prompt is admitted at once; wait returns when the run is over; messages and context show the reply", async () => {
    const id = await newSession();
    const admitted = await prompt(id, "hello v2");
    expect(admitted.data).toMatchObject({ admittedSeq: 1, delivery: "steer" });
    expect(admitted.data.id).toMatch(/^msg_/);
    expect((await client.v2.session.wait({ sessionID: id })).response.status).toBe(204);
    const list = await messages(id);
    expect(list.map((m) => m.type)).toEqual(["user", "assistant"]);
    expect(list[0]).toMatchObject({ id: admitted.data.id, text: "hello v2" });
    expect(list[1]!.content).toContainEqual(expect.objectContaining({ type: "text", text: "Hello from fake LLM. You said: hello v2" }));
    const one = (await client.v2.session.message({ sessionID: id, messageID: list[1]!.id })).data as { data: Message };
    expect(one.data.type).toBe("assistant");
    const context = (await client.v2.session.context({ sessionID: id })).data as { data: Message[] };
    expect(context.data.map((m) => m.id)).toEqual(list.map((m) => m.id));
  });

  it("tool calls appear as tool content with their state", async () => {
    const id = await newSession();
    await prompt(id, "use bash");
    await client.v2.session.wait({ sessionID: id });
    const tool = (await messages(id)).flatMap((m) => m.content ?? []).find((c) => c.type === "tool");
    expect(tool).toMatchObject({ name: "bash", state: { status: "completed" } });
  });

  it("active lists running sessions; interrupt ends a slow run", async () => {
    const id = await newSession();
    await prompt(id, "slow bash");
    await expect.poll(async () => Object.keys(((await client.v2.session.active()).data as { data: object }).data)).toContain(id);
    expect((await client.v2.session.interrupt({ sessionID: id })).response.status).toBe(204);
    await client.v2.session.wait({ sessionID: id });
    expect(Object.keys(((await client.v2.session.active()).data as { data: object }).data)).not.toContain(id);
  });

  it("switchAgent and switchModel change the session; an unknown agent is refused", async () => {
    const id = await newSession();
    expect((await client.v2.session.switchAgent({ sessionID: id, agent: "plan" })).response.status).toBe(204);
    expect((await client.v2.session.switchModel({ sessionID: id, model: { id: "other", providerID: "fake" } })).response.status).toBe(204);
    const got = (await client.v2.session.get({ sessionID: id })).data as { data: { agent: string; model: { id: string } } };
    expect(got.data).toMatchObject({ agent: "plan", model: { id: "other" } });
    expect((await client.v2.session.switchAgent({ sessionID: id, agent: "nobody" })).response.status).toBe(400);
  });

  it("compact summarizes the conversation", async () => {
    const id = await newSession();
    await prompt(id, "before compaction");
    await client.v2.session.wait({ sessionID: id });
    expect((await client.v2.session.compact({ sessionID: id })).response.status).toBe(204);
    const types = (await messages(id)).map((m) => m.type);
    expect(types).toContain("compaction");
    const context = (await client.v2.session.context({ sessionID: id })).data as { data: Message[] };
    expect(context.data[0]!.type).toBe("compaction");
  });

  it("context after a failed compaction: what the model gets, the history before it included", async () => {
    const id = await newSession();
    await prompt(id, "before a failing compaction");
    await client.v2.session.wait({ sessionID: id });
    llm.setScript((request) => (request.body.tools ? undefined : { kind: "error", status: 400, message: "summary refused" }));
    try {
      await client.v2.session.compact({ sessionID: id });
    } finally {
      llm.setScript(undefined);
    }
    const list = await messages(id);
    expect(list.map((m) => m.type)).toEqual(["user", "assistant", "compaction", "assistant"]);
    const context = (await client.v2.session.context({ sessionID: id })).data as { data: Message[] };
    expect(context.data.map((m) => m.id)).toEqual(list.map((m) => m.id));
  });

  it("revert: stage hides messages from the context, clear brings them back, commit drops them", async () => {
    const id = await newSession();
    await prompt(id, "first");
    await client.v2.session.wait({ sessionID: id });
    await prompt(id, "second");
    await client.v2.session.wait({ sessionID: id });
    const all = await messages(id);
    const secondUser = all.filter((m) => m.type === "user")[1]!;
    const staged = (await client.v2.session.revert.stage({ sessionID: id, messageID: secondUser.id })).data as {
      data: { messageID: string };
    };
    expect(staged.data.messageID).toBe(secondUser.id);
    const context = (await client.v2.session.context({ sessionID: id })).data as { data: Message[] };
    expect(context.data).toHaveLength(2);
    expect((await client.v2.session.revert.clear({ sessionID: id })).response.status).toBe(204);
    expect(((await client.v2.session.context({ sessionID: id })).data as { data: Message[] }).data).toHaveLength(4);
    await client.v2.session.revert.stage({ sessionID: id, messageID: secondUser.id });
    expect((await client.v2.session.revert.commit({ sessionID: id })).response.status).toBe(204);
    expect(await messages(id)).toHaveLength(2);
  });
});

describe("the durable session history", () => {
  it("history: the run's session.next.* events, paged with after and limit", async () => {
    const id = await newSession();
    await prompt(id, "use bash");
    await client.v2.session.wait({ sessionID: id });
    const history = (await client.v2.session.history({ sessionID: id })).data as {
      data: { type: string; durable: { seq: number }; data: Record<string, unknown> }[];
      hasMore: boolean;
    };
    expect(history.hasMore).toBe(false);
    const types = history.data.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(["session.next.prompt.admitted", "session.next.prompted", "session.next.step.started"]);
    expect(types).toEqual(
      expect.arrayContaining([
        "session.next.tool.called",
        "session.next.tool.success",
        "session.next.text.ended",
        "session.next.step.ended",
      ]),
    );
    expect(history.data.map((e) => e.durable.seq)).toEqual(history.data.map((_e, i) => i + 1));
    expect(history.data.find((e) => e.type === "session.next.tool.called")!.data).toMatchObject({
      tool: "bash",
      input: { command: "echo hi" },
    });
    const page = (await client.v2.session.history({ sessionID: id, after: 2, limit: 2 })).data as {
      data: { durable: { seq: number } }[];
      hasMore: boolean;
    };
    expect(page.data.map((e) => e.durable.seq)).toEqual([3, 4]);
    expect(page.hasMore).toBe(true);
  });

  it("events: the history as SSE frames with id and event fields, then new events as the session goes on", async () => {
    const id = await newSession();
    await prompt(id, "first one");
    await client.v2.session.wait({ sessionID: id });
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/session/${id}/event?after=1`, { signal: controller.signal });
    const frames: { id: string; event: string; data: { type: string; durable: { seq: number } } }[] = [];
    const reading = (async () => {
      for await (const block of sseBlocks(res)) {
        if (block.startsWith(":")) continue;
        const field = (name: string) =>
          block
            .split("\n")
            .find((l) => l.startsWith(`${name}: `))!
            .slice(name.length + 2);
        frames.push({ id: field("id"), event: field("event"), data: JSON.parse(field("data")) });
      }
    })().catch(() => undefined);
    await expect.poll(() => frames.length).toBeGreaterThan(3);
    expect(frames[0]).toMatchObject({ id: "2", event: "session.next.prompted" });
    expect(frames.every((f) => f.event === f.data.type && f.id === String(f.data.durable.seq))).toBe(true);
    const before = frames.length;
    await prompt(id, "second one");
    await client.v2.session.wait({ sessionID: id });
    await expect.poll(() => frames.slice(before).map((f) => f.event)).toContain("session.next.step.ended");
    controller.abort();
    await reading;
    // The SDK's own SSE reader reads the same frames.
    const viaSdk = await client.v2.session.events({ sessionID: id });
    const first = await viaSdk.stream.next();
    expect(first.value).toMatchObject({ type: "session.next.prompt.admitted", durable: { seq: 1 } });
    await viaSdk.stream.return(undefined);
  });
});

describe("the v2 event stream", () => {
  it("carries the run's events in the v2 envelope, with their location", async () => {
    const reader = await openEventReader(`${server.url}/api/event`, "v2");
    const first = await reader.next<{ type: string }>();
    expect(first.type).toBe("server.connected");
    const id = await newSession();
    await prompt(id, "hello stream");
    const status = await reader.next<{
      type: string;
      location?: { directory: string };
      data: { sessionID: string; status: { type: string } };
    }>((e) => e.type === "session.status" && e.data.sessionID === id, 10_000);
    expect(status.location).toEqual({ directory: repo.dir });
    await reader.next<{ type: string; data: { sessionID: string } }>((e) => e.type === "session.idle" && e.data.sessionID === id, 10_000);
    reader.close();
  });

  it("is readable with the SDK's own SSE reader", async () => {
    const events = await client.v2.event.subscribe();
    const first = await events.stream.next();
    expect(first.value).toMatchObject({ type: "server.connected" });
    await events.stream.return(undefined);
  });
});

describe("v2 permissions and questions", () => {
  it("a run's permission request: listed, read, answered 'always' (then saved, and removable)", async () => {
    const reader = await events();
    const session = (await client.session.create({ permission: [{ permission: "bash", pattern: "*", action: "ask" }] })).data!;
    await prompt(session.id, "use bash");
    const asked = await reader.next<EventLike>((e) => e.type === "permission.asked", 10_000);
    const requestID = (asked.properties as { id: string }).id;
    const listed = (await client.v2.permission.request.list()).data as { data: { id: string; action: string; resources: string[] }[] };
    expect(listed.data).toContainEqual(expect.objectContaining({ id: requestID, action: "bash", resources: ["echo hi"] }));
    expect(((await client.v2.session.permission.list({ sessionID: session.id })).data as { data: unknown[] }).data).toHaveLength(1);
    const one = (await client.v2.session.permission.get({ sessionID: session.id, requestID })).data as { data: { source?: unknown } };
    expect(one.data.source).toMatchObject({ type: "tool" });
    expect((await client.v2.session.permission.reply({ sessionID: session.id, requestID, reply: "always" })).response.status).toBe(204);
    await client.v2.session.wait({ sessionID: session.id });
    reader.close();
    const saved = (await client.v2.permission.saved.list({ projectID: repo.rootCommit })).data as {
      data: { id: string; action: string; resource: string }[];
    };
    const rule = saved.data.find((r) => r.action === "bash")!;
    expect(rule.resource).toBe("echo *");
    expect((await client.v2.permission.saved.remove({ id: rule.id })).response.status).toBe(204);
    expect(((await client.v2.permission.saved.list({ projectID: repo.rootCommit })).data as { data: unknown[] }).data).toEqual([]);
    const again = await client.v2.session.permission.reply({ sessionID: session.id, requestID, reply: "once" });
    expect(again.response.status).toBe(404);
  });

  it("permission.create: the rules decide, or the request waits for a reply", async () => {
    const session = (await client.session.create({ permission: [{ permission: "deploy", pattern: "*", action: "ask" }] })).data!;
    const allowed = (await client.v2.session.permission.create({ sessionID: session.id, action: "read", resources: ["README.md"] }))
      .data as {
      data: { effect: string };
    };
    expect(allowed.data.effect).toBe("allow");
    const asked = (await client.v2.session.permission.create({ sessionID: session.id, action: "deploy", resources: ["prod"] })).data as {
      data: { id: string; effect: string };
    };
    expect(asked.data.effect).toBe("ask");
    const pending = (await client.v2.session.permission.list({ sessionID: session.id })).data as { data: { id: string }[] };
    expect(pending.data.map((r) => r.id)).toEqual([asked.data.id]);
    await client.v2.session.permission.reply({ sessionID: session.id, requestID: asked.data.id, reply: "reject" });
  });

  it("interrupt, abort and deleting a parent leave no pending permission, question or run behind", async () => {
    const reader = await events();
    const pendingOf = async (sessionID: string) => [
      ...((await client.v2.session.permission.list({ sessionID })).data as { data: unknown[] }).data,
      ...((await client.v2.session.question.list({ sessionID })).data as { data: unknown[] }).data,
    ];
    const asking = async (text: string, parentID?: string) => {
      const permission = ["bash", "deploy"].map((name) => ({ permission: name, pattern: "*", action: "ask" as const }));
      const session = (await client.session.create({ parentID, permission })).data!;
      await prompt(session.id, text);
      await reader.next<EventLike>((e) => e.type.endsWith(".asked") && (e.properties as { sessionID: string }).sessionID === session.id, 10_000);
      expect(await pendingOf(session.id)).toHaveLength(1);
      return session.id;
    };

    const interrupted = await asking("use bash");
    // A request a client made (not the run's tool) goes too.
    await client.v2.session.permission.create({ sessionID: interrupted, action: "deploy", resources: ["prod"] });
    expect(await pendingOf(interrupted)).toHaveLength(2);
    expect((await client.v2.session.interrupt({ sessionID: interrupted })).response.status).toBe(204);
    await client.v2.session.wait({ sessionID: interrupted });
    expect(await pendingOf(interrupted)).toEqual([]);

    const aborted = await asking("ask question");
    expect((await client.session.abort({ sessionID: aborted })).data).toBe(true);
    await client.v2.session.wait({ sessionID: aborted });
    expect(await pendingOf(aborted)).toEqual([]);

    const parent = (await client.session.create({})).data!.id;
    const child = await asking("use bash", parent);
    expect((await client.session.delete({ sessionID: parent })).data).toBe(true);
    await client.v2.session.wait({ sessionID: child });
    expect(((await client.v2.permission.request.list()).data as { data: { sessionID: string }[] }).data.map((r) => r.sessionID)).not.toContain(child);
    expect(Object.keys(((await client.v2.session.active()).data as { data: object }).data)).not.toContain(child);
    reader.close();
  });

  it("a run's question: listed, answered; another rejected", async () => {
    const reader = await events();
    const id = await newSession();
    await prompt(id, "ask question");
    const asked = await reader.next<EventLike>((e) => e.type === "question.asked", 10_000);
    const requestID = (asked.properties as { id: string }).id;
    const listed = (await client.v2.question.request.list()).data as { data: { id: string; questions: { question: string }[] }[] };
    expect(listed.data).toContainEqual(
      expect.objectContaining({ id: requestID, questions: [expect.objectContaining({ question: "Which color?" })] }),
    );
    expect(((await client.v2.session.question.list({ sessionID: id })).data as { data: unknown[] }).data).toHaveLength(1);
    expect(
      (await client.v2.session.question.reply({ sessionID: id, requestID, questionV2Reply: { answers: [["Blue"]] } })).response.status,
    ).toBe(204);
    await client.v2.session.wait({ sessionID: id });
    const tool = (await messages(id)).flatMap((m) => m.content ?? []).find((c) => c.type === "tool");
    expect(tool).toMatchObject({ name: "question", state: { status: "completed" } });

    await prompt(id, "ask question");
    const second = await reader.next<EventLike>((e) => e.type === "question.asked", 10_000);
    const secondID = (second.properties as { id: string }).id;
    expect((await client.v2.session.question.reject({ sessionID: id, requestID: secondID })).response.status).toBe(204);
    await client.v2.session.wait({ sessionID: id });
    expect((await client.v2.session.question.reject({ sessionID: id, requestID: secondID })).response.status).toBe(404);
    reader.close();
  });
});
