// The v2 session log over a real bus and database. On SQLite it has logged (and told its
// subscribers of) a turn's event by the time the bus's publish returns. On PostgreSQL two logs,
// each with its own bus and connections as two nodes have, share one table: node B's subscribers
// hear what node A's bus published, in position order, once, and B serves A's history. On both,
// deltas older than the retention are pruned and the durable events stay.
import { afterAll, describe, expect, it } from "vitest";
import { EventBus } from "../../src/bus/event-bus.js";
import { PgListener } from "../../src/cluster/pg-listener.js";
import { openDatabase } from "../../src/storage/database.js";
import { SessionEventLog, type LoggedEvent } from "../../src/v2/durable-log.js";
import { V2_LOG_CHANNEL } from "../../src/v2/session-event-store.js";
import { startPostgres, type PostgresCluster } from "../support/postgres.js";
import { makeTempDir } from "../support/temp.js";

let postgres: PostgresCluster | undefined;
const closing: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closing.splice(0)) await close();
  postgres?.stop();
});

const noMessages = { listMessages: async () => [] };
const scope = { directory: "/repo" };

/** A turn's bus events: an assistant message with a text part streamed in two deltas, completed. */
function publishTurn(bus: EventBus, sessionID: string, after?: () => void): void {
  const info = {
    id: `msg_${sessionID}`,
    sessionID,
    role: "assistant",
    time: { created: 1 },
    modelID: "m",
    providerID: "p",
    agent: "build",
  };
  const part = { id: `prt_${sessionID}`, messageID: info.id, sessionID, type: "text", text: "", time: { start: 2 } };
  const publish = (type: string, properties: object) => {
    bus.publish(scope, type as never, properties as never);
    after?.();
  };
  publish("message.updated", { sessionID, info });
  publish("message.part.updated", { sessionID, part });
  for (const delta of ["hel", "lo"])
    publish("message.part.delta", { sessionID, messageID: info.id, partID: part.id, field: "text", delta });
  publish("message.part.updated", { sessionID, part: { ...part, text: "hello", time: { start: 2, end: 3 } } });
  const tokens = { input: 1, output: 1, reasoning: 0, cache: { read: 0, write: 0 } };
  publish("message.updated", { sessionID, info: { ...info, time: { created: 1, completed: 4 }, tokens, cost: 0, finish: "stop" } });
}

const TURN = [
  "session.next.step.started",
  "session.next.text.started",
  "session.next.text.delta",
  "session.next.text.delta",
  "session.next.text.ended",
  "session.next.step.ended",
];

describe("the v2 session log on SQLite", () => {
  it("logs a turn's event inside its publish, and tells its subscribers then", async () => {
    const bus = new EventBus();
    const log = new SessionEventLog(await openDatabase({ dataDirectory: makeTempDir("v2-log") }), bus, { store: noMessages });
    closing.push(() => log.close());
    const heard: LoggedEvent[] = [];
    log.subscribe((logged) => heard.push(logged));
    const counts: number[] = [];
    publishTurn(bus, "ses_sync", () => counts.push(heard.length));
    // Each publish had logged its event before it returned (the part's first update logs text.started).
    expect(counts).toEqual([1, 2, 3, 4, 5, 6]);
    expect(heard.map((l) => l.event.type)).toEqual(TURN);
    expect((await log.history({ id: "ses_sync", directory: "/repo" })).map((e) => e.durable!.seq)).toEqual([1, 2, 3, 4]);
  });
});

describe("the v2 session log on PostgreSQL, two nodes", () => {
  it("streams node A's events to node B's subscribers in order, once; B serves A's history; deltas are pruned", async () => {
    postgres ??= await startPostgres();
    const url = await postgres.createDatabase();
    const node = async (options: { deltaRetentionMs?: number; pruneEveryMs?: number } = {}) => {
      const bus = new EventBus();
      const listener = new PgListener(url, [V2_LOG_CHANNEL], () => undefined);
      await listener.start();
      const log = new SessionEventLog(await openDatabase({ url }), bus, { store: noMessages, notifications: listener, ...options });
      closing.push(async () => {
        await log.close();
        await listener.close();
      });
      const heard: LoggedEvent[] = [];
      log.subscribe((logged) => heard.push(logged));
      return { bus, log, heard };
    };
    const a = await node();
    const b = await node({ deltaRetentionMs: 0, pruneEveryMs: 1_500 });
    publishTurn(a.bus, "ses_a");
    publishTurn(b.bus, "ses_b");
    publishTurn(a.bus, "ses_a2");
    await expect.poll(() => b.heard.length, { timeout: 10_000 }).toBe(3 * TURN.length);
    await expect.poll(() => a.heard.length, { timeout: 10_000 }).toBe(3 * TURN.length);
    // Both nodes heard the whole pool's log, the same, in position order, each event once.
    const positions = b.heard.map((l) => l.position);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    expect(new Set(positions).size).toBe(positions.length);
    expect(a.heard.map((l) => l.event.id)).toEqual(b.heard.map((l) => l.event.id));
    for (const session of ["ses_a", "ses_b", "ses_a2"])
      expect(b.heard.filter((l) => l.sessionID === session).map((l) => l.event.type)).toEqual(TURN);
    // A's session, served by B from the shared table.
    const history = await b.log.history({ id: "ses_a", directory: "/repo" });
    expect(history.map((e) => e.id)).toEqual(a.heard.filter((l) => l.sessionID === "ses_a" && l.event.durable).map((l) => l.event.id));
    // B's pruner took every delta, whoever logged it; the durable events stay.
    await expect.poll(async () => (await a.log.since(0)).filter((l) => l.event.type.endsWith(".delta")).length, { timeout: 8_000 }).toBe(0);
    expect((await a.log.since(0)).length).toBe(3 * (TURN.length - 2));
  });
});
