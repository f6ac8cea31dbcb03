// The v2 session log's store on SQLite and on a real PostgreSQL: per-session seqs gapless and
// unique (on PostgreSQL under concurrent appends from two nodes' connections), positions in
// commit order, deltas without a seq and pruned by age, a derived history seeded once; on SQLite
// the appends answer at once (the log records a bus event inside its publish), and an older
// server's table in agentpool.db is adopted with its rows.
import path from "node:path";
import BetterSqlite from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/storage/database.js";
import { sessionEventStore, type NewEvent, type SessionEventStore } from "../../src/v2/session-event-store.js";
import { startPostgres, type PostgresCluster } from "../support/postgres.js";
import { makeTempDir } from "../support/temp.js";

let postgres: PostgresCluster | undefined;
afterAll(() => postgres?.stop());

const backends = [
  { name: "SQLite", url: async () => path.join(makeTempDir("v2-store"), "agentpool.db") },
  {
    name: "PostgreSQL",
    url: async () => {
      postgres ??= await startPostgres();
      return postgres.createDatabase();
    },
  },
];

let counter = 0;
function event(sessionID: string, type = "session.next.step.started", ref?: string): NewEvent {
  const durable = !type.endsWith(".delta");
  return { sessionID, id: `evt_${++counter}`, type, durable, ref, directory: "/repo", data: { n: counter } };
}

const opened: Database[] = [];
afterEach(async () => {
  for (const database of opened.splice(0)) await database.close();
});

async function open(url: string): Promise<Database> {
  const database = await openDatabase({ url });
  opened.push(database);
  return database;
}

describe.each(backends)("the v2 session log's store on $name", (backend) => {
  it("gives durable events the session's next seq, deltas none; positions grow; reads back in order", async () => {
    const store = sessionEventStore(await open(await backend.url()));
    const rows = await store.append([event("ses_a", "session.next.step.started", "msg_1"), event("ses_a", "session.next.text.delta")]);
    rows.push(
      ...(await store.append([event("ses_b", "session.next.step.started", "msg_2"), event("ses_a", "session.next.step.ended", "msg_1")])),
    );
    expect(rows.map((r) => [r.session_id, r.seq])).toEqual([
      ["ses_a", 1],
      ["ses_a", null],
      ["ses_b", 1],
      ["ses_a", 2],
    ]);
    const positions = rows.map((r) => r.position);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    expect(new Set(positions).size).toBe(4);
    expect((await store.bySession("ses_a", 0)).map((r) => r.type)).toEqual(["session.next.step.started", "session.next.step.ended"]);
    expect((await store.bySession("ses_a", 1)).map((r) => r.seq)).toEqual([2]);
    expect((await store.since(positions[1]!)).map((r) => r.position)).toEqual(positions.slice(2));
    expect(await store.lastPosition()).toBe(positions[3]);
    expect(await store.seqOf("ses_a", "session.next.step.ended", "msg_1")).toBe(2);
    expect(await store.known("ses_a", ["msg_1", "msg_9"])).toEqual(
      new Set(["session.next.step.started msg_1", "session.next.step.ended msg_1"]),
    );
    await store.deleteSession("ses_a");
    expect(await store.has("ses_a")).toBe(false);
    expect(await store.has("ses_b")).toBe(true);
  });

  it("seeds a derived history once, and goes on after it", async () => {
    const store = sessionEventStore(await open(await backend.url()));
    const derived = [1, 2, 3].map((seq) => ({ id: `evt_seed${seq}`, type: "session.next.prompted", seq, directory: "/repo", data: {} }));
    expect(await store.seed("ses_s", derived)).toBe(true);
    expect(await store.seed("ses_s", derived)).toBe(false);
    const [next] = await store.append([event("ses_s")]);
    expect(next!.seq).toBe(4);
  });

  it("prunes deltas older than the retention, never a durable event", async () => {
    const store = sessionEventStore(await open(await backend.url()));
    await store.append([event("ses_p", "session.next.step.started", "m"), event("ses_p", "session.next.text.delta")]);
    expect(await store.pruneDeltas(Date.now() - 60_000)).toBe(0);
    expect(await store.pruneDeltas(Date.now() + 1)).toBe(1);
    expect((await store.since(0)).map((r) => r.type)).toEqual(["session.next.step.started"]);
  });
});

describe("on SQLite", () => {
  it("answers appends and lookups at once, not in a promise", async () => {
    const store: SessionEventStore = sessionEventStore(await open(await backends[0]!.url()));
    expect(store.sync).toBe(true);
    const rows = store.append([event("ses_now", "session.next.step.started", "msg_now")]);
    expect(rows).not.toBeInstanceOf(Promise);
    expect(store.known("ses_now", ["msg_now"])).toEqual(new Set(["session.next.step.started msg_now"]));
  });

  it("adopts the table an older server kept in agentpool.db, rows and all", async () => {
    const file = path.join(makeTempDir("v2-store-old"), "agentpool.db");
    // The table as the log created it through its own connection before migration 007.
    const old = new BetterSqlite(file);
    old.exec(
      `CREATE TABLE v2_session_event (
         position INTEGER PRIMARY KEY AUTOINCREMENT,
         session_id TEXT NOT NULL, seq INTEGER, id TEXT NOT NULL, type TEXT NOT NULL,
         ref TEXT, directory TEXT NOT NULL, data TEXT NOT NULL);
       CREATE UNIQUE INDEX v2_session_event_seq ON v2_session_event (session_id, seq);
       CREATE INDEX v2_session_event_ref ON v2_session_event (session_id, ref, type);`,
    );
    old
      .prepare("INSERT INTO v2_session_event (session_id, seq, id, type, ref, directory, data) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run("ses_old", 1, "evt_old", "session.next.prompt.admitted", "msg_old", "/repo", '{"kept":true}');
    old
      .prepare("INSERT INTO v2_session_event (session_id, seq, id, type, ref, directory, data) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run("ses_old", null, "evt_old_delta", "session.next.text.delta", null, "/repo", "{}");
    old.close();
    const store = sessionEventStore(await open(file));
    expect((await store.bySession("ses_old", 0)).map((r) => [r.id, r.data])).toEqual([["evt_old", '{"kept":true}']]);
    expect((await store.append([event("ses_old")]))[0]!.seq).toBe(2);
    // Its deltas have no age: the first prune takes them.
    expect(await store.pruneDeltas(Date.now() - 600_000)).toBe(1);
  });
});

describe("on PostgreSQL, two nodes appending to one session at once", () => {
  it("keeps the session's seqs gapless and unique, and positions in commit order", async () => {
    postgres ??= await startPostgres();
    const url = await postgres.createDatabase();
    const nodes = [sessionEventStore(await open(url)), sessionEventStore(await open(url))];
    const PER_NODE = 40;
    // Each node's log writes one append after another; the two nodes race.
    const runs = nodes.map(async (store) => {
      const seen: number[] = [];
      for (let i = 0; i < PER_NODE; i++) {
        const rows = await store.append(
          i % 4 === 0 ? [event("ses_race"), event("ses_race", "session.next.text.delta"), event("ses_race")] : [event("ses_race")],
        );
        seen.push(...rows.map((r) => r.position));
      }
      return seen;
    });
    // And bursts that do not wait for each other, past what one node's log would do.
    const bursts = nodes.flatMap((store) => Array.from({ length: 10 }, () => store.append([event("ses_race")])));
    const [seenA, seenB] = await Promise.all(runs);
    await Promise.all(bursts);
    const durable = (await nodes[0]!.bySession("ses_race", 0)).map((r) => r.seq);
    const expected = 2 * (PER_NODE + PER_NODE / 4) + 20;
    expect(durable).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
    // Each node saw its own rows in increasing positions; the log as a whole orders seq with position.
    for (const seen of [seenA!, seenB!]) expect(seen).toEqual([...seen].sort((x, y) => x - y));
    const all = await nodes[1]!.since(0);
    expect(all.length).toBe(expected + 2 * (PER_NODE / 4));
    const seqs = all.filter((r) => r.seq !== null).map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x! - y!));
  });
});
