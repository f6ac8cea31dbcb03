// The event relay and the cluster signals on a real PostgreSQL, as library pieces: two or three
// nodes (each its own database pool, bus and LISTEN connection) on one database. A node's events
// reach the others' remote listeners in its order, whole and once, and never its own services'.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBus, type GlobalFrame } from "../../src/bus/event-bus.js";
import { joinPool, type PoolNode } from "../../src/cluster/pool-node.js";
import { LocalSignals } from "../../src/cluster/cluster-signals.js";
import { LISTENER_APPLICATION } from "../../src/cluster/pg-listener.js";
import { pruneOutbox } from "../../src/cluster/pg-event-relay.js";
import { openDatabase, type Database } from "../../src/storage/database.js";
import { startPostgres, type PostgresCluster } from "../support/postgres.js";

let cluster: PostgresCluster;
const open: { node: PoolNode; database: Database }[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
});

afterAll(async () => {
  for (const { node, database } of open.splice(0)) {
    await node.close();
    await database.close();
  }
  cluster?.stop();
});

interface TestNode {
  id: string;
  bus: EventBus;
  node: PoolNode;
  database: Database;
  /** What a stream (a `remote` listener) received of the other nodes' events (it hears its own node's too). */
  remote: GlobalFrame[];
  /** What a listener without `remote` (a service) received. */
  internal: GlobalFrame[];
}

async function startNode(url: string, name: string): Promise<TestNode> {
  const database = await openDatabase({ url });
  const bus = new EventBus();
  const id = `node_${name}_${Math.random().toString(36).slice(2)}`;
  const node = await joinPool({ nodeID: id, database, url, bus, onError: () => undefined });
  open.push({ node, database });
  const remote: GlobalFrame[] = [];
  const internal: GlobalFrame[] = [];
  const own = new Set<GlobalFrame>();
  bus.subscribeAll(
    (frame) => {
      internal.push(frame);
      own.add(frame);
    },
    { internal: true },
  );
  bus.subscribeAll((frame) => (own.has(frame) ? own.delete(frame) : remote.push(frame)), { remote: true });
  return { id, bus, node, database, remote, internal };
}

const delta = (i: number, text = `d${i}`) => ({ sessionID: "ses_1", messageID: "msg_1", partID: "prt_1", field: "text", delta: text });
const ids = (frames: GlobalFrame[]) => frames.map((f) => f.payload.id);
const deltaOf = (frame: GlobalFrame) => (frame.payload as { properties?: { delta?: string } }).properties?.delta;

describe("PgEventRelay", () => {
  it("delivers 1,000 quickly published events of each of two nodes to the other, in order, once", async () => {
    const url = await cluster.createDatabase();
    const a = await startNode(url, "a");
    const b = await startNode(url, "b");
    const sentA: string[] = [];
    const sentB: string[] = [];
    for (let i = 0; i < 1_000; i++) {
      sentA.push(a.bus.publish({ directory: "/repo" }, "message.part.delta", delta(i)).payload.id);
      sentB.push(b.bus.publish({ directory: "/other" }, "message.part.delta", delta(i)).payload.id);
      // Some awaits between publishes too, so the writes go in several batches.
      if (i % 97 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await expect.poll(() => b.remote.length, { timeout: 15_000 }).toBe(1_000);
    await expect.poll(() => a.remote.length, { timeout: 15_000 }).toBe(1_000);
    expect(ids(b.remote)).toEqual(sentA);
    expect(ids(a.remote)).toEqual(sentB);
    expect(b.remote.map(deltaOf)).toEqual(sentA.map((_, i) => `d${i}`));
    // The services of a node heard only its own events, never the other's.
    expect(ids(b.internal)).toEqual(sentB);
    expect(ids(a.internal)).toEqual(sentA);
    // Nothing more arrives later (no duplicates).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.remote.length).toBe(1_000);
  }, 40_000);

  it("carries sync twins to global listeners only, and events > 8 kB whole; a directory listener hears its directory", async () => {
    const url = await cluster.createDatabase();
    const a = await startNode(url, "a");
    const b = await startNode(url, "b");
    const inRepo: string[] = [];
    b.bus.subscribe("/repo", (event) => inRepo.push(event.payload.type), { remote: true });
    const notRemote: string[] = [];
    b.bus.subscribe("/repo", (event) => notRemote.push(event.payload.type));
    const big = "x".repeat(50_000);
    a.bus.publish({ directory: "/repo", project: "prj_1" }, "message.part.delta", delta(0, big), { aggregateID: "ses_1", seq: 7 });
    a.bus.publish({ directory: "/elsewhere" }, "message.part.delta", delta(1));
    await expect.poll(() => b.remote.length, { timeout: 10_000 }).toBe(3);
    expect(b.remote.map((f) => f.payload.type)).toEqual(["message.part.delta", "sync", "message.part.delta"]);
    expect(b.remote[0]).toEqual(a.internal[0]);
    expect(b.remote[1]).toEqual(a.internal[1]);
    expect(deltaOf(b.remote[0]!)).toBe(big);
    expect(b.remote[0]!.project).toBe("prj_1");
    expect(inRepo).toEqual(["message.part.delta"]);
    expect(notRemote).toEqual([]);
  });

  it("catches up from the table after its LISTEN connection dropped", async () => {
    const url = await cluster.createDatabase();
    const a = await startNode(url, "a");
    const b = await startNode(url, "b");
    a.bus.publish({ directory: "/repo" }, "message.part.delta", delta(0));
    await expect.poll(() => b.remote.length, { timeout: 10_000 }).toBe(1);
    // Cut every node's listening connection: the NOTIFYs sent until they are back are lost.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const cut = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
        [LISTENER_APPLICATION],
      );
      expect(cut.rowCount).toBe(2);
    } finally {
      await admin.end();
    }
    const sent = [a.internal[0]!.payload.id];
    for (let i = 1; i <= 20; i++) sent.push(a.bus.publish({ directory: "/repo" }, "message.part.delta", delta(i)).payload.id);
    await expect.poll(() => ids(b.remote), { timeout: 15_000 }).toEqual(sent);
    // And it listens again.
    sent.push(a.bus.publish({ directory: "/repo" }, "message.part.delta", delta(21)).payload.id);
    await expect.poll(() => ids(b.remote), { timeout: 10_000 }).toEqual(sent);
  }, 30_000);

  it("does not replay what was published before a node joined; the outbox is pruned", async () => {
    const url = await cluster.createDatabase();
    const a = await startNode(url, "a");
    a.bus.publish({ directory: "/repo" }, "message.part.delta", delta(0));
    const database = a.database;
    await expect.poll(async () => (await database.db.selectFrom("event_outbox").selectAll().execute()).length).toBe(1);
    const late = await startNode(url, "late");
    const after = a.bus.publish({ directory: "/repo" }, "message.part.delta", delta(1)).payload.id;
    await expect.poll(() => ids(late.remote), { timeout: 10_000 }).toEqual([after]);
    await expect.poll(async () => (await database.db.selectFrom("event_outbox").selectAll().execute()).length).toBe(2);
    // Rows older than the retention (5 min) go; newer ones stay.
    const rows = () => database.db.selectFrom("event_outbox").select("seq").execute();
    await database.db
      .updateTable("event_outbox")
      .set({ created_at: Date.now() - 10 * 60_000 })
      .where("seq", "=", 1)
      .execute();
    await pruneOutbox(database.db, 5 * 60_000);
    expect((await rows()).map((r) => Number(r.seq))).toEqual([2]);
  });
});

describe("PgSignals", () => {
  it("brings a signal to the node it names, and to no other", async () => {
    const url = await cluster.createDatabase();
    const [a, b, c] = [await startNode(url, "a"), await startNode(url, "b"), await startNode(url, "c")];
    const heard: [string, Record<string, unknown>][] = [];
    for (const node of [a, b, c]) {
      node.node.signals.on("run.abort", (body) => heard.push([node.id, body]));
      node.node.signals.on("other.topic", (body) => heard.push([`${node.id} other`, body]));
    }
    expect(b.node.signals.nodeID).toBe(b.id);
    await a.node.signals.send({ topic: "run.abort", node: b.id, body: { sessionID: "ses_1", reason: "asked on a" } });
    await expect.poll(() => heard, { timeout: 5_000 }).toEqual([[b.id, { sessionID: "ses_1", reason: "asked on a" }]]);
    // A second one to C: still only its node, only its topic's handlers.
    await a.node.signals.send({ topic: "run.abort", node: c.id, body: { n: 2 } });
    await expect.poll(() => heard.length, { timeout: 5_000 }).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard).toEqual([
      [b.id, { sessionID: "ses_1", reason: "asked on a" }],
      [c.id, { n: 2 }],
    ]);
    await expect(a.node.signals.send({ topic: "run.abort", node: b.id, body: { big: "x".repeat(8_000) } })).rejects.toThrow(/bytes/);
  });
});

describe("joinPool on SQLite", () => {
  it("is a node alone: LocalSignals, and nothing listening to the bus", async () => {
    const database = await openDatabase({ url: ":memory:" });
    const bus = new EventBus();
    const subscribed: unknown[] = [];
    const subscribeAll = bus.subscribeAll.bind(bus);
    bus.subscribeAll = (listener, options) => (subscribed.push(options), subscribeAll(listener, options));
    const node = await joinPool({ nodeID: "node_alone", database, url: undefined, bus, onError: () => undefined });
    expect(node.signals).toBeInstanceOf(LocalSignals);
    expect(node.signals.nodeID).toBe("node_alone");
    expect(subscribed).toEqual([]);
    await node.close();
    await database.close();
  });
});
