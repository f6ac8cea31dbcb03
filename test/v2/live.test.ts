// The v2 engine, live: a prompt steered into a running turn reaches its next model call (one run,
// not two); the session.next.* events are logged as they happen and stream live, deltas included;
// a reconnect with Last-Event-ID gets exactly what it missed; the history outlives a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadServedSpec } from "../../src/contract/served-spec.js";
import { SpecSchemas } from "../../src/contract/validation.js";
import { openDatabase } from "../../src/storage/database.js";
import { lastUserText, type ChatRequest, type ScriptedLlm } from "../support/scripted-llm.js";
import { startLlmProject } from "../support/llm-project.js";
import { sdkV2 } from "../support/sdk.js";
import { connectV2, openEventReader, type NextEvent } from "../support/sse.js";
import { testDatabaseUrl } from "../support/postgres.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string; rootCommit: string };
let client: ReturnType<typeof sdkV2>;

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("v2-live"));
  client = sdkV2({ baseUrl: server.url, directory: repo.dir });
});
afterAll(async () => {
  // Nothing the log wrote broke the spec or failed on the way.
  const problems = server?.logLines().filter((l) => /breaks the spec|input listener failed|session log could not/.test(String(l.msg)));
  expect(problems ?? []).toEqual([]);
  await server?.close();
  await llm?.stop();
});

async function newSession(): Promise<string> {
  const res = await client.v2.session.create({ location: { directory: repo.dir }, model: { id: "m", providerID: "fake" } });
  return (res.data as { data: { id: string } }).data.id;
}

type Admitted = { data: { id: string; admittedSeq: number; delivery: string } };

async function prompt(sessionID: string, text: string, delivery?: "steer" | "queue"): Promise<Admitted["data"]> {
  const res = await client.v2.session.prompt({ sessionID, prompt: { text }, ...(delivery ? { delivery } : {}) });
  expect(res.response.status).toBe(200);
  return (res.data as Admitted).data;
}

type Message = { id: string; type: string; text?: string; content?: { type: string; name?: string; state?: { status: string } }[] };

async function messages(sessionID: string): Promise<Message[]> {
  return ((await client.v2.session.messages({ sessionID, order: "asc" } as never)).data as { data: Message[] }).data;
}

const isTitle = (request: ChatRequest) =>
  request.body.messages.some((m) => m.role === "system" && /title/i.test(JSON.stringify(m.content)));

describe("steering", () => {
  it("a steered prompt reaches the running turn's next model call, in the same run", async () => {
    const id = await newSession();
    const before = llm.requests.length;
    llm.setScript((request) =>
      lastUserText(request) === "start a slow tool" && request.body.messages.at(-1)?.role === "user"
        ? { kind: "tool", calls: [{ name: "bash", args: { command: "sleep 1.5; echo slow-done", description: "Wait" } }] }
        : undefined,
    );
    try {
      const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
      // Upstream's default delivery is "steer" (nothing runs yet: it starts the run).
      const first = await prompt(id, "start a slow tool");
      expect(first).toMatchObject({ delivery: "steer" });
      await expect
        .poll(
          async () => (await messages(id)).flatMap((m) => m.content ?? []).some((c) => c.type === "tool" && c.state?.status === "running"),
          {
            timeout: 10_000,
          },
        )
        .toBe(true);
      const steered = await prompt(id, "steered text", "steer");
      expect(steered.delivery).toBe("steer");
      // Stored at once, as the user message it is.
      expect((await messages(id)).find((m) => m.id === steered.id)).toMatchObject({ type: "user", text: "steered text" });
      await client.v2.session.wait({ sessionID: id });

      const calls = llm.requests.slice(before).filter((r) => !isTitle(r));
      expect(calls).toHaveLength(2);
      const second = calls[1]!.body.messages;
      // The second step sees the tool's result, then the steered prompt.
      expect(second.map((m) => m.role).slice(-2)).toEqual(["tool", "user"]);
      expect(lastUserText(calls[1]!)).toBe("steered text");

      // One run: busy until the end, one idle.
      const idles: unknown[] = [];
      for (;;) {
        const event = await reader
          .next<{ type: string; properties: { sessionID?: string } }>(
            (e) => e.type === "session.idle" && e.properties.sessionID === id,
            1_500,
          )
          .catch(() => undefined);
        if (!event) break;
        idles.push(event);
      }
      reader.close();
      expect(idles).toHaveLength(1);
      const list = await messages(id);
      expect(list.map((m) => m.type)).toEqual(["user", "assistant", "user", "assistant"]);
    } finally {
      llm.setScript(undefined);
    }
  });

  it("a queued prompt waits for the running turn to end, then gets a turn of its own", async () => {
    const id = await newSession();
    const before = llm.requests.length;
    llm.setScript((request) =>
      lastUserText(request) === "start another slow tool" && request.body.messages.at(-1)?.role === "user"
        ? { kind: "tool", calls: [{ name: "bash", args: { command: "sleep 1; echo slow-done", description: "Wait" } }] }
        : undefined,
    );
    try {
      await prompt(id, "start another slow tool", "queue");
      await expect
        .poll(
          async () => (await messages(id)).flatMap((m) => m.content ?? []).some((c) => c.type === "tool" && c.state?.status === "running"),
          {
            timeout: 10_000,
          },
        )
        .toBe(true);
      expect((await prompt(id, "queued text", "queue")).delivery).toBe("queue");
      await client.v2.session.wait({ sessionID: id });
      const calls = llm.requests.slice(before).filter((r) => !isTitle(r));
      expect(calls.map((c) => lastUserText(c))).toEqual(["start another slow tool", "start another slow tool", "queued text"]);
    } finally {
      llm.setScript(undefined);
    }
  });

  it("with no turn running, a steered prompt is answered as a queued one", async () => {
    const id = await newSession();
    const admitted = await prompt(id, "steer while idle", "steer");
    expect(admitted.delivery).toBe("steer");
    await client.v2.session.wait({ sessionID: id });
    const list = await messages(id);
    expect(list.map((m) => m.type)).toEqual(["user", "assistant"]);
  });
});

let schemas: SpecSchemas | undefined;
const specSchemas = () => (schemas ??= new SpecSchemas(loadServedSpec()));

type Next = NextEvent;

/** A v2 stream whose every event is checked against the spec as it comes. */
const connect = (url: string, headers: Record<string, string> = {}) =>
  connectV2(url, headers, (data) => {
    const errors = specSchemas().check(url.includes("/api/session/") ? "SessionDurableEvent" : "V2Event", data);
    expect(errors, JSON.stringify(data)).toBeFalsy();
  });

async function history(sessionID: string): Promise<Next[]> {
  return ((await client.v2.session.history({ sessionID, limit: "1000" } as never)).data as { data: Next[] }).data;
}

const slowText = (text: string) => (request: ChatRequest) =>
  lastUserText(request) === text && request.body.messages.at(-1)?.role === "user"
    ? ({
        kind: "text",
        reasoning: "Thinking it over slowly.",
        text: "one two three four five six seven eight nine ten",
        delayMs: 120,
      } as const)
    : undefined;

describe("the session log, live", () => {
  it("session.next.* events, deltas included, arrive while the run goes on; the history is what was streamed", async () => {
    const id = await newSession();
    const all = connect(`${server.url}/api/event`);
    const session = connect(`${server.url}/api/session/${id}/event`);
    llm.setScript(slowText("talk slowly"));
    try {
      const admitted = await prompt(id, "talk slowly");
      await expect.poll(() => all.of(id).some((f) => f.data.type === "session.next.text.delta"), { timeout: 10_000 }).toBe(true);
      // A delta came while the run was still going.
      expect(Object.keys(((await client.v2.session.active()).data as { data: object }).data)).toContain(id);
      expect(all.of(id).some((f) => f.data.type === "session.next.step.ended")).toBe(false);
      expect(session.of(id).map((f) => f.data.type)).toContain("session.next.text.started");
      await client.v2.session.wait({ sessionID: id });
      await expect.poll(() => session.of(id).map((f) => f.data.type)).toContain("session.next.step.ended");

      const logged = await history(id);
      expect(admitted.admittedSeq).toBe(1);
      expect(logged.map((e) => e.type)).toEqual([
        "session.next.prompt.admitted",
        "session.next.prompted",
        "session.next.step.started",
        "session.next.reasoning.started",
        "session.next.reasoning.ended",
        "session.next.text.started",
        "session.next.text.ended",
        "session.next.step.ended",
      ]);
      expect(logged.map((e) => e.durable!.seq)).toEqual(logged.map((_e, i) => i + 1));
      // The session stream sent exactly the history, with the seq as SSE id.
      expect(session.of(id).map((f) => f.data.id)).toEqual(logged.map((e) => e.id));
      expect(session.of(id).every((f) => f.id === String(f.data.durable!.seq) && f.event === f.data.type)).toBe(true);
      // /api/event also had the deltas, which add up to the text.
      const deltas = all.of(id).filter((f) => f.data.type === "session.next.text.delta");
      expect(deltas.map((f) => f.data.data.delta).join("")).toBe("one two three four five six seven eight nine ten");
      expect(all.of(id).filter((f) => f.data.type === "session.next.reasoning.delta").length).toBeGreaterThan(0);
      expect(
        all
          .of(id)
          .filter((f) => f.data.durable)
          .map((f) => f.data.id),
      ).toEqual(logged.map((e) => e.id));
    } finally {
      llm.setScript(undefined);
      await all.close();
      await session.close();
    }
  });

  it("a reconnect with Last-Event-ID gets exactly the events it missed (session stream and /api/event)", async () => {
    const id = await newSession();
    const session = connect(`${server.url}/api/session/${id}/event`);
    const all = connect(`${server.url}/api/event?after=0`);
    llm.setScript(slowText("talk slowly again"));
    try {
      await prompt(id, "talk slowly again");
      await expect
        .poll(() => all.of(id).filter((f) => f.data.type === "session.next.text.delta").length, { timeout: 10_000 })
        .toBeGreaterThan(2);
      await session.close();
      await all.close();
      const sessionBefore = session.of(id);
      const allBefore = all.of(id);
      // Logged events on a resumable /api/event carry their position as id; others none.
      expect(allBefore.every((f) => f.id && Number(f.id) > 0)).toBe(true);
      expect(all.frames.filter((f) => !f.data.type.startsWith("session.next.")).every((f) => f.id === undefined)).toBe(true);

      await client.v2.session.wait({ sessionID: id });
      const sessionAfter = connect(`${server.url}/api/session/${id}/event`, { "last-event-id": sessionBefore.at(-1)!.id! });
      const allAfter = connect(`${server.url}/api/event`, { "last-event-id": allBefore.at(-1)!.id! });
      await expect.poll(() => sessionAfter.of(id).map((f) => f.data.type), { timeout: 5_000 }).toContain("session.next.step.ended");
      await expect.poll(() => allAfter.of(id).map((f) => f.data.type), { timeout: 5_000 }).toContain("session.next.step.ended");
      await sessionAfter.close();
      await allAfter.close();

      const logged = await history(id);
      expect([...sessionBefore, ...sessionAfter.of(id)].map((f) => f.data.id)).toEqual(logged.map((e) => e.id));
      // /api/event: every logged event of the run once, in order, deltas included.
      const everything = connect(`${server.url}/api/event?after=${Number(allBefore[0]!.id) - 1}`);
      await expect.poll(() => everything.of(id).map((f) => f.data.type)).toContain("session.next.step.ended");
      await everything.close();
      const ids = [...allBefore, ...allAfter.of(id)].map((f) => f.data.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(everything.of(id).map((f) => f.data.id));
      expect(ids.length).toBeGreaterThan(logged.length);
    } finally {
      llm.setScript(undefined);
    }
  });
});

describe("the session log after a restart", () => {
  it("keeps the whole history; a session older than the log is derived, then logged on from its next prompt", async () => {
    const data = makeTempDir("v2-live-data");
    const project = await startLlmProject("v2-live-restart", { server: { dataDirectory: data } });
    const sdk = sdkV2({ baseUrl: project.server.url, directory: project.repo.dir });
    const create = async () =>
      (
        (await sdk.v2.session.create({ location: { directory: project.repo.dir }, model: { id: "m", providerID: "fake" } })).data as {
          data: { id: string };
        }
      ).data.id;
    const historyOf = async (s: ReturnType<typeof sdkV2>, sessionID: string) =>
      ((await s.v2.session.history({ sessionID, limit: "1000" } as never)).data as { data: Next[] }).data;
    let second: TestServer | undefined;
    try {
      const kept = await create();
      const old = await create();
      for (const id of [kept, old]) {
        await sdk.v2.session.prompt({ sessionID: id, prompt: { text: "use bash" } });
        await sdk.v2.session.wait({ sessionID: id });
      }
      const before = await historyOf(sdk, kept);
      expect(before.map((e) => e.type)).toContain("session.next.tool.success");
      const oldBefore = await historyOf(sdk, old);
      await project.server.close();
      // As if `old` had been recorded before the log existed.
      // The same database the server used: SQLite in its data folder, or the suite's PostgreSQL.
      const database = await openDatabase({ url: await testDatabaseUrl(data), dataDirectory: data });
      await database.db.deleteFrom("v2_session_event").where("session_id", "=", old).execute();
      await database.close();

      second = await startTestServer({ projectDirectory: project.repo.dir, dataDirectory: data });
      const again = sdkV2({ baseUrl: second.url, directory: project.repo.dir });
      expect(await historyOf(again, kept)).toEqual(before);
      const derived = await historyOf(again, old);
      expect(derived.map((e) => e.type)).toEqual(oldBefore.map((e) => e.type));
      // The next prompt continues the sequence where the derived history ends.
      const admitted = ((await again.v2.session.prompt({ sessionID: old, prompt: { text: "after the restart" } })).data as Admitted).data;
      expect(admitted.admittedSeq).toBe(derived.length + 1);
      await again.v2.session.wait({ sessionID: old });
      const after = await historyOf(again, old);
      expect(after.slice(0, derived.length)).toEqual(derived);
      expect(after.map((e) => e.durable!.seq)).toEqual(after.map((_e, i) => i + 1));
      expect(after.at(-1)!.type).toBe("session.next.step.ended");
    } finally {
      await second?.close();
      await project.llm.stop();
    }
  });
});
