// Two `agentpool serve` processes on one PostgreSQL database: what a session does on node A
// reaches the client streams of node B (/event for the project's directory, /global/event,
// /api/event) in A's order, each event once, deltas and large parts whole; B's own services do
// not react to A's events (A's v2 session log projects them once, into the shared log B streams).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeLlmRepo } from "../support/llm-project.js";
import { startScriptedLlm, type ScriptedLlm } from "../support/scripted-llm.js";
import { startPostgres, type PostgresCluster } from "../support/postgres.js";
import { killServed, serveProcess, stopServed, okJson } from "../support/serve-process.js";
import { jsonInit } from "../support/json-init.js";
import { openEventReader, type EventReader, type StreamKind } from "../support/sse.js";

// Over 10 KB: its part is far past what a NOTIFY may carry (8,000 bytes).
const BIG = Array.from({ length: 1_500 }, (_, i) => `word${i}`).join(" ");

let cluster: PostgresCluster;
let llm: ScriptedLlm;
let repo: { dir: string };

beforeAll(async () => {
  cluster = await startPostgres();
  llm = await startScriptedLlm({
    script: (request) =>
      /title of a conversation/i.test(JSON.stringify(request.body.messages.filter((m) => m.role === "system")))
        ? { kind: "text", text: "A pooled title" }
        : { kind: "text", text: BIG },
  });
  repo = makeLlmRepo("pg-events", llm.url);
});

afterAll(async () => {
  killServed();
  await llm?.stop();
  cluster?.stop();
});

type Frame = { id?: string; type?: string; properties?: Record<string, unknown>; payload?: { id: string; type: string } };

/** An event's identity on each stream: its type and id (a sync twin keeps its event's id). */
const key = (frame: Frame) => (frame.payload ? `${frame.payload.type} ${frame.payload.id}` : `${frame.type} ${frame.id}`);
const typeOf = (frame: Frame) => frame.payload?.type ?? frame.type ?? "";
/** What the stream itself sends (not the bus), and the v2 log's session.next.* (compared apart). */
const streamOwn = (frame: Frame) => /^server\.(connected|heartbeat)$/.test(typeOf(frame)) || typeOf(frame).startsWith("session.next.");
const busKeys = (reader: EventReader) => (reader.frames as Frame[]).filter((f) => !streamOwn(f)).map(key);

describe("events across the nodes of a pool on PostgreSQL", () => {
  it("brings node A's events to node B's /event, /global/event and /api/event, in A's order, once, whole", async () => {
    const url = await cluster.createDatabase();
    const a = await serveProcess(repo.dir, ["--database", url]);
    const b = await serveProcess(repo.dir, ["--database", url]);
    const q = `directory=${encodeURIComponent(repo.dir)}`;
    const open = async (base: string, route: string, kind: StreamKind) => {
      const reader = await openEventReader(`${base}${route}`, kind);
      await reader.next((f: Frame) => typeOf(f) === "server.connected");
      return reader;
    };
    const streams = {
      event: [await open(a.url, `/event?${q}`, "event"), await open(b.url, `/event?${q}`, "event")],
      global: [await open(a.url, "/global/event", "global"), await open(b.url, "/global/event", "global")],
      v2: [await open(a.url, "/api/event", "v2"), await open(b.url, "/api/event", "v2")],
    } as const;

    const session = await okJson<{ id: string }>(`${a.url}/session?${q}`, jsonInit("POST", { title: "pooled" }));
    const reply = await okJson<{ info: { id: string } }>(
      `${a.url}/session/${session.id}/message?${q}`,
      jsonInit("POST", { parts: [{ type: "text", text: "go" }] }),
    );
    const [aEvent, bEvent] = streams.event;
    await aEvent.next((f: Frame) => f.type === "session.idle", 15_000);
    // A's streams have settled (the title comes after idle) once nothing more arrives for a while.
    let settled = -1;
    await expect
      .poll(
        () => {
          const total = Object.values(streams).reduce((n, [aside]) => n + aside.frames.length, 0);
          const still = total === settled;
          settled = total;
          return still;
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(true);

    for (const [name, [aside, bside]] of Object.entries(streams)) {
      const expected = busKeys(aside);
      await expect.poll(() => busKeys(bside), { timeout: 15_000, message: `${name} on B` }).toEqual(expected);
      expect(new Set(expected).size, `${name}: no event twice`).toBe(expected.length);
    }
    // Nothing arrives late, twice.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const [aside, bside] of Object.values(streams)) expect(busKeys(bside)).toEqual(busKeys(aside));

    // What went by: the session's whole life, every delta among it.
    const types = (bEvent.frames as Frame[]).map(typeOf);
    for (const type of ["session.created", "message.updated", "message.part.updated", "session.status", "session.idle"])
      expect(types).toContain(type);
    const deltas = (bEvent.frames as Frame[]).filter((f) => f.type === "message.part.delta");
    expect(deltas.length).toBeGreaterThan(100);
    expect(deltas.map((f) => f.properties!.delta).join("")).toBe(BIG);
    expect(busKeys(streams.global[1]).some((k) => k.startsWith("sync "))).toBe(true);
    // The finished text part, > 10 KB in one event, arrives as A sent it.
    const textPart = (frames: Frame[]) =>
      frames.filter((f) => f.type === "message.part.updated" && (f.properties!.part as { type: string; text?: string }).text === BIG);
    expect(textPart(bEvent.frames as Frame[]).length).toBeGreaterThan(0);
    expect(textPart(bEvent.frames as Frame[])).toEqual(textPart(aEvent.frames as Frame[]));
    expect(JSON.stringify(textPart(bEvent.frames as Frame[]).at(-1)).length).toBeGreaterThan(10_000);
    expect(
      (bEvent.frames as Frame[]).filter((f) => f.type === "message.updated").map((f) => (f.properties!.info as { id: string }).id),
    ).toContain(reply.info.id);

    // The v2 session log is the pool's: A projected its run's events once (B's services heard none
    // of them, so B logged nothing twice), and B's /api/event streams them from the shared log, as A's does.
    const [aV2, bV2] = streams.v2;
    const nextKeys = (reader: EventReader) => (reader.frames as Frame[]).filter((f) => typeOf(f).startsWith("session.next.")).map(key);
    expect(nextKeys(aV2).length).toBeGreaterThan(0);
    await expect.poll(() => nextKeys(bV2), { timeout: 15_000 }).toEqual(nextKeys(aV2));
    expect(new Set(nextKeys(aV2)).size).toBe(nextKeys(aV2).length);

    for (const reader of Object.values(streams).flat()) reader.close();
    await Promise.all([stopServed(a), stopServed(b)]);
  }, 90_000);
});
