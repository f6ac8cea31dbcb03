// The sync event log: POST /sync/history answers the durable session events a client has not
// seen, /sync/replay rebuilds a session from another server's history, /sync/steal hands a
// session to a workspace.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEventReader } from "../support/sse.js";
import { makeRepo } from "../support/git.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";
import { makeTempDir } from "../support/temp.js";

type SyncEvent = { id: string; aggregate_id: string; seq: number; type: string; data: Record<string, unknown> };

let source: TestServer;
let target: TestServer;

beforeAll(async () => {
  source = await startTestServer({ projectDirectory: makeTempDir("sync-source") });
  target = await startTestServer({ projectDirectory: makeTempDir("sync-target") });
});
afterAll(async () => {
  await source.close();
  await target.close();
});

async function history(server: TestServer, known: Record<string, number> = {}): Promise<SyncEvent[]> {
  return (await (await server.fetch("/sync/history", jsonInit("POST", known))).json()) as SyncEvent[];
}

async function sessionWithMessage(server: TestServer): Promise<string> {
  const session = (await (await server.fetch("/session", jsonInit("POST", { title: "to sync" }))).json()) as { id: string };
  const res = await server.fetch(
    `/session/${session.id}/message`,
    jsonInit("POST", { noReply: true, model: { providerID: "none", modelID: "none" }, parts: [{ type: "text", text: "remember me" }] }),
  );
  expect(res.status).toBe(200);
  return session.id;
}

describe("sync.history.list", () => {
  it("answers every durable event of a session in order, and only the newer ones for a known aggregate", async () => {
    const id = await sessionWithMessage(source);
    const events = (await history(source)).filter((e) => e.aggregate_id === id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events[0]).toMatchObject({ type: "session.created.1", data: { sessionID: id } });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["message.updated.1", "message.part.updated.1"]));
    expect(events.every((e) => /^evt_/.test(e.id))).toBe(true);

    const newer = (await history(source, { [id]: 1 })).filter((e) => e.aggregate_id === id);
    expect(newer.map((e) => e.seq)).toEqual(events.slice(2).map((e) => e.seq));
  });

  it("forgets a deleted session's history, as upstream does", async () => {
    const id = await sessionWithMessage(source);
    expect((await history(source)).some((e) => e.aggregate_id === id)).toBe(true);
    await source.fetch(`/session/${id}`, { method: "DELETE" });
    expect((await history(source)).some((e) => e.aggregate_id === id)).toBe(false);
  });

  it("keeps the history across a restart", async () => {
    const data = makeTempDir("sync-data");
    const first = await startTestServer({ dataDirectory: data });
    const id = await sessionWithMessage(first);
    const before = (await history(first)).filter((e) => e.aggregate_id === id);
    await first.close();
    const second = await startTestServer({ dataDirectory: data });
    expect((await history(second)).filter((e) => e.aggregate_id === id)).toEqual(before);
    await second.close();
  });
});

describe("sync.replay", () => {
  it("rebuilds a session from another server's history in the given directory", async () => {
    const id = await sessionWithMessage(source);
    const events = (await history(source)).filter((e) => e.aggregate_id === id);
    const place = makeRepo("replayed").dir;
    const res = await target.fetch(
      "/sync/replay",
      jsonInit("POST", { directory: place, events: events.map(({ aggregate_id, ...e }) => ({ ...e, aggregateID: aggregate_id })) }),
    );
    expect(await res.json()).toEqual({ sessionID: id });
    const session = (await (await target.fetch(`/session/${id}`)).json()) as { title: string; directory: string };
    expect(session).toMatchObject({ title: "to sync", directory: place });
    const messages = (await (await target.fetch(`/session/${id}/message`)).json()) as { parts: { text?: string }[] }[];
    expect(messages.flatMap((m) => m.parts.map((p) => p.text))).toContain("remember me");
    // The target's own log now continues the same sequence.
    expect((await history(target)).filter((e) => e.aggregate_id === id).map((e) => e.seq)).toEqual(events.map((e) => e.seq));
  });

  it("refuses a history with a gap and stores nothing", async () => {
    const id = await sessionWithMessage(source);
    const events = (await history(source)).filter((e) => e.aggregate_id === id);
    const gapped = [events[0]!, events[2]!].map(({ aggregate_id, ...e }) => ({ ...e, aggregateID: aggregate_id }));
    const res = await target.fetch("/sync/replay", jsonInit("POST", { directory: makeTempDir("gap"), events: gapped }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ name: "BadRequest", data: { message: `Expected seq 1 for ${id}, got 2` } });
    expect((await target.fetch(`/session/${id}`)).status).toBe(404);
  });
});

describe("sync.start", () => {
  it("announces the status of the workspaces that have sessions once, and answers true", async () => {
    const repo = makeRepo("start").dir;
    const q = `?directory=${encodeURIComponent(repo)}`;
    const used = (await (await source.fetch(`/experimental/workspace${q}`, jsonInit("POST", { type: "worktree" }))).json()) as {
      id: string;
      directory: string;
    };
    const unused = (await (await source.fetch(`/experimental/workspace${q}`, jsonInit("POST", { type: "worktree" }))).json()) as {
      id: string;
    };
    const session = (await (await source.fetch(`/session${q}`, jsonInit("POST", {}))).json()) as { id: string };
    await source.fetch(`/sync/steal${q}&workspace=${used.id}`, jsonInit("POST", { sessionID: session.id }));
    // The used workspace's folder goes away: its status changes to error.
    rmSync(used.directory, { recursive: true, force: true });

    const global = await openEventReader(`${source.url}/global/event`, "global");
    await global.next();
    expect(await (await source.fetch(`/sync/start${q}`, { method: "POST" })).json()).toBe(true);
    const status = await global.next<{ workspace?: string; payload: { type: string; properties: unknown } }>(
      (f) => f.payload.type === "workspace.status",
    );
    expect(status.payload.properties).toEqual({ workspaceID: used.id, status: "error" });
    // Told once: a second start has nothing new to say, and the unused workspace is not checked.
    await source.fetch(`/sync/start${q}`, { method: "POST" });
    await source.fetch(`/tui/append-prompt${q}`, jsonInit("POST", { text: "marker" }));
    await global.next<{ payload: { type: string } }>((f) => f.payload.type === "tui.prompt.append");
    const statuses = (global.frames as { payload: { type: string; properties: { workspaceID?: string } } }[]).filter(
      (f) => f.payload.type === "workspace.status",
    );
    expect(statuses.map((f) => f.payload.properties.workspaceID)).toEqual([used.id]);
    expect(statuses.map((f) => f.payload.properties.workspaceID)).not.toContain(unused.id);
    global.close();
  });
});

describe("sync.steal", () => {
  it("hands a session to the workspace the request names", async () => {
    const repo = makeRepo("steal").dir;
    const q = `?directory=${encodeURIComponent(repo)}`;
    const workspace = (await (await source.fetch(`/experimental/workspace${q}`, jsonInit("POST", { type: "worktree" }))).json()) as {
      id: string;
    };
    const session = (await (await source.fetch(`/session${q}`, jsonInit("POST", {}))).json()) as { id: string };
    const res = await source.fetch(`/sync/steal${q}&workspace=${workspace.id}`, jsonInit("POST", { sessionID: session.id }));
    expect(await res.json()).toEqual({ sessionID: session.id });
    expect(await (await source.fetch(`/session/${session.id}`)).json()).toMatchObject({ workspaceID: workspace.id });

    const without = await source.fetch(`/sync/steal${q}`, jsonInit("POST", { sessionID: session.id }));
    expect(without.status).toBe(400);
  });
});
