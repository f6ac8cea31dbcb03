// The pool's shared state, the same cases on SQLite and on a real PostgreSQL: run leases (one node
// at a time, taken over once expired, renewed by the node's heartbeat, which tells it the leases
// it lost), which unfinished runs count as interrupted, live nodes, and the pending requests of
// live nodes, forgotten with their node; run slots (caps on concurrent runs per key: taken like
// leases, one holder per slot however many race, served to waiting tickets in arrival order).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message, Session } from "../../generated/schemas.js";
import { openDatabase, type Database } from "../../src/storage/database.js";
import { SqlClusterStore } from "../../src/storage/sql-cluster-store.js";
import { SqlStore } from "../../src/storage/sql-store.js";
import { startPostgres, type PostgresCluster } from "../support/postgres.js";
import { makeTempDir } from "../support/temp.js";

let postgres: PostgresCluster | undefined;
afterAll(() => postgres?.stop());

const backends = [
  { name: "SQLite", open: () => openDatabase({ dataDirectory: makeTempDir("cluster-store") }) },
  {
    name: "PostgreSQL",
    open: async () => {
      postgres ??= await startPostgres();
      return openDatabase({ url: await postgres.createDatabase() });
    },
  },
];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function session(id: string): Session {
  return {
    id,
    slug: id,
    projectID: "prj",
    directory: "/repo",
    title: id,
    version: "1",
    time: { created: 1, updated: 1 },
  } as unknown as Session;
}

function openRun(sessionID: string): Message {
  return {
    id: `msg_${sessionID}`,
    sessionID,
    role: "assistant",
    parentID: "msg_user",
    time: { created: 1 },
    modelID: "m",
    providerID: "p",
  } as unknown as Message;
}

describe.each(backends)("the cluster store on $name", (backend) => {
  let database: Database;
  let store: SqlStore;
  let cluster: SqlClusterStore;
  beforeAll(async () => {
    database = await backend.open();
    store = new SqlStore(database.share());
    cluster = new SqlClusterStore(database.share());
  });
  afterAll(async () => {
    await cluster.close();
    await store.close();
    await database.close();
  });

  it("leases a session's run to one node: taken when free, expired or already its own; renewed; released", async () => {
    const s = "ses_lease";
    expect(await cluster.acquireRunLease(s, "node_a", 60_000)).toBe(true);
    expect(await cluster.acquireRunLease(s, "node_b", 60_000)).toBe(false);
    // Ours already: taken again (and extended).
    expect(await cluster.acquireRunLease(s, "node_a", 60_000)).toBe(true);
    expect(await cluster.acquireRunLease("ses_lease_other", "node_b", 60_000)).toBe(true);
    expect(await cluster.renewNode("node_a", 60_000)).toEqual([s]);
    expect(await cluster.renewNode("node_none", 60_000)).toEqual([]);
    // Another node's release leaves it be; its holder's frees it.
    await cluster.releaseRunLease(s, "node_b");
    expect(await cluster.acquireRunLease(s, "node_b", 60_000)).toBe(false);
    await cluster.releaseRunLease(s, "node_a");
    expect(await cluster.acquireRunLease(s, "node_b", 60_000)).toBe(true);
    expect((await cluster.renewNode("node_b", 60_000)).sort()).toEqual([s, "ses_lease_other"]);
    expect(await cluster.liveRunLeases(Date.now(), s)).toEqual([{ sessionID: s, nodeID: "node_b" }]);
    await cluster.releaseRunLease(s, "node_b");
    await cluster.releaseRunLease("ses_lease_other", "node_b");
    expect(await cluster.liveRunLeases(Date.now())).toEqual([]);
  });

  it("lets any node take over a lease whose holder stopped renewing it; the holder's next beat shows it lost", async () => {
    const s = "ses_lease_expiry";
    expect(await cluster.acquireRunLease(s, "node_dead", 1)).toBe(true);
    await pause(10);
    expect(await cluster.liveRunLeases(Date.now(), s)).toEqual([]);
    expect(await cluster.acquireRunLease(s, "node_live", 60_000)).toBe(true);
    expect(await cluster.acquireRunLease(s, "node_dead", 60_000)).toBe(false);
    // Renewing after losing it does not take it back, and says so.
    expect(await cluster.renewNode("node_dead", 60_000)).toEqual([]);
    await cluster.releaseRunLease(s, "node_live");
  });

  it("takes a free lease for exactly one of several nodes asking at once", async () => {
    const s = "ses_lease_race";
    const nodes = Array.from({ length: 8 }, (_, i) => `node_${i}`);
    const taken = await Promise.all(nodes.map((node) => cluster.acquireRunLease(s, node, 60_000)));
    expect(taken.filter(Boolean)).toHaveLength(1);
    await cluster.releaseRunLease(s, nodes[taken.indexOf(true)]!);
  });

  it("lists as interrupted only the unfinished runs of sessions without a live lease", async () => {
    for (const s of ["ses_held", "ses_expired", "ses_free"]) {
      await store.putSession(session(s));
      await store.putMessage(openRun(s));
    }
    expect(await cluster.acquireRunLease("ses_held", "node_a", 60_000)).toBe(true);
    expect(await cluster.acquireRunLease("ses_expired", "node_b", 1)).toBe(true);
    await pause(10);
    const ids = (list: { info: { id: string } }[]) => list.map((m) => m.info.id);
    expect(ids(await store.listUnfinishedAssistantMessages({ unleasedAt: Date.now() }))).toEqual(["msg_ses_expired", "msg_ses_free"]);
    expect(ids(await store.listUnfinishedAssistantMessages())).toEqual(["msg_ses_expired", "msg_ses_free", "msg_ses_held"]);
    expect(ids(await store.listUnfinishedAssistantMessages({ sessionID: "ses_free" }))).toEqual(["msg_ses_free"]);
    for (const s of ["ses_held", "ses_expired", "ses_free"]) await store.deleteSession(s);
    await cluster.releaseRunLease("ses_held", "node_a");
    await cluster.releaseRunLease("ses_expired", "node_b");
  });

  it("lists the pending requests of live nodes, and forgets those of dead and departed nodes", async () => {
    await cluster.renewNode("node_alive", 60_000);
    await cluster.renewNode("node_dying", 1);
    await cluster.renewNode("node_leaving", 60_000);
    const request = (id: string, nodeID: string, kind: "permission" | "question" = "permission") => ({
      id,
      kind,
      sessionID: "ses_pending",
      nodeID,
      request: { id, sessionID: "ses_pending", big: "x".repeat(20_000) },
    });
    await cluster.putPendingRequest(request("per_1", "node_alive"));
    await cluster.putPendingRequest(request("per_2", "node_dying"));
    await cluster.putPendingRequest(request("per_3", "node_leaving"));
    await cluster.putPendingRequest(request("que_1", "node_alive", "question"));
    await pause(10);
    const now = Date.now();
    const ids = (list: { id: string }[]) => list.map((r) => r.id);
    expect(ids(await cluster.listPendingRequests("permission", now))).toEqual(["per_1", "per_3"]);
    expect(ids(await cluster.listPendingRequests("question", now))).toEqual(["que_1"]);
    // A node's own requests, without asking whether it is alive (it is: it asks).
    expect(ids(await cluster.listPendingRequests("permission", now, "node_dying"))).toEqual(["per_2"]);
    expect(await cluster.getPendingRequest("per_1", now)).toEqual(request("per_1", "node_alive"));
    expect(await cluster.getPendingRequest("per_2", now)).toBeUndefined();

    await cluster.forgetDeadNodes(now);
    expect(ids(await cluster.listPendingRequests("permission", now, "node_dying"))).toEqual([]);
    await cluster.acquireRunLease("ses_pending", "node_leaving", 60_000);
    await cluster.forgetNode("node_leaving");
    expect(ids(await cluster.listPendingRequests("permission", Date.now()))).toEqual(["per_1"]);
    expect(await cluster.liveRunLeases(Date.now(), "ses_pending")).toEqual([]);
    await cluster.deletePendingRequest("per_1");
    await cluster.deletePendingRequest("que_1");
    expect(await cluster.listPendingRequests("permission", Date.now())).toEqual([]);
  });

  it("takes a key's slots up to its cap, again when already held, renewed by the heartbeat; a release frees one", async () => {
    const key = "provider:slots";
    expect(await cluster.takeRunSlot(key, 2, "ses_s1", "node_a", 60_000)).toBe(0);
    expect(await cluster.takeRunSlot(key, 2, "ses_s2", "node_b", 300)).toBe(1);
    expect(await cluster.takeRunSlot(key, 2, "ses_s3", "node_a", 60_000)).toBeUndefined();
    // Held already by this session on this node: the same slot.
    expect(await cluster.takeRunSlot(key, 2, "ses_s1", "node_a", 60_000)).toBe(0);
    // Another key is capped on its own.
    expect(await cluster.takeRunSlot("agent:slots", 1, "ses_s3", "node_a", 60_000)).toBe(0);
    // node_b's heartbeat keeps its short-lived slot past its first expiry.
    await cluster.renewNode("node_b", 60_000);
    await pause(400);
    expect(await cluster.liveRunSlots(key, Date.now())).toEqual([
      { slot: 0, sessionID: "ses_s1", nodeID: "node_a" },
      { slot: 1, sessionID: "ses_s2", nodeID: "node_b" },
    ]);
    expect(await cluster.takeRunSlot(key, 2, "ses_s3", "node_a", 60_000)).toBeUndefined();
    // Another node's release of it leaves the slot be; its holder's frees it.
    await cluster.releaseRunSlot(key, "ses_s1", "node_b");
    expect(await cluster.takeRunSlot(key, 2, "ses_s3", "node_a", 60_000)).toBeUndefined();
    await cluster.releaseRunSlot(key, "ses_s1", "node_a");
    expect(await cluster.takeRunSlot(key, 2, "ses_s3", "node_a", 60_000)).toBe(0);
    await cluster.releaseRunSlot(key, "ses_s2", "node_b");
    await cluster.releaseRunSlot(key, "ses_s3", "node_a");
    await cluster.releaseRunSlot("agent:slots", "ses_s3", "node_a");
    expect(await cluster.liveRunSlots(key, Date.now())).toEqual([]);
  });

  it("lets another node take over a slot whose node stopped renewing it, and forgets a departed node's slots", async () => {
    const key = "provider:slot-expiry";
    expect(await cluster.takeRunSlot(key, 1, "ses_dead_run", "node_dead", 1)).toBe(0);
    await pause(10);
    expect(await cluster.liveRunSlots(key, Date.now())).toEqual([]);
    expect(await cluster.takeRunSlot(key, 1, "ses_live_run", "node_live", 60_000)).toBe(0);
    // The dead node's late heartbeat does not take it back.
    await cluster.renewNode("node_dead", 60_000);
    expect(await cluster.takeRunSlot(key, 1, "ses_dead_run", "node_dead", 60_000)).toBeUndefined();
    expect(await cluster.liveRunSlots(key, Date.now())).toEqual([{ slot: 0, sessionID: "ses_live_run", nodeID: "node_live" }]);
    await cluster.forgetNode("node_live");
    expect(await cluster.liveRunSlots(key, Date.now())).toEqual([]);
    await cluster.forgetNode("node_dead");
  });

  it("gives a free slot to exactly one of eight runs racing for it, and a cap of 3 to exactly three", async () => {
    const nodes = Array.from({ length: 8 }, (_, i) => `node_${i}`);
    const race = (key: string, cap: number) =>
      Promise.all(nodes.map((node, i) => cluster.takeRunSlot(key, cap, `ses_racer_${i}`, node, 60_000)));
    const one = await race("provider:race-1", 1);
    expect(one.filter((slot) => slot !== undefined)).toEqual([0]);
    const three = await race("provider:race-3", 3);
    expect(three.filter((slot) => slot !== undefined).sort()).toEqual([0, 1, 2]);
    for (const node of nodes) await cluster.forgetNode(node);
  });

  it("serves the runs waiting for a key in arrival order; a dropped or dead ticket holds nobody up", async () => {
    const key = "agent:in-line";
    expect(await cluster.takeRunSlot(key, 1, "ses_first", "node_a", 60_000)).toBe(0);
    const second = await cluster.enqueueRunSlot(key, "ses_second", "node_b", 60_000);
    const third = await cluster.enqueueRunSlot(key, "ses_third", "node_a", 60_000);
    expect(third).toBeGreaterThan(second);
    await cluster.releaseRunSlot(key, "ses_first", "node_a");
    // Free, but the second run came first: the third, and a newcomer without a ticket, wait.
    expect(await cluster.takeRunSlot(key, 1, "ses_third", "node_a", 60_000, third)).toBeUndefined();
    expect(await cluster.takeRunSlot(key, 1, "ses_late", "node_c", 60_000)).toBeUndefined();
    expect(await cluster.takeRunSlot(key, 1, "ses_second", "node_b", 60_000, second)).toBe(0);
    expect(await cluster.takeRunSlot(key, 1, "ses_third", "node_a", 60_000, third)).toBeUndefined();
    await cluster.releaseRunSlot(key, "ses_second", "node_b");
    expect(await cluster.takeRunSlot(key, 1, "ses_third", "node_a", 60_000, third)).toBe(0);
    await cluster.releaseRunSlot(key, "ses_third", "node_a");
    // A ticket left (its run aborted) or whose node died is not waited for.
    const dropped = await cluster.enqueueRunSlot(key, "ses_aborted", "node_a", 60_000);
    await cluster.enqueueRunSlot(key, "ses_on_dead_node", "node_dead", 1);
    await cluster.dropRunSlotTicket(dropped);
    await pause(10);
    const last = await cluster.enqueueRunSlot(key, "ses_last", "node_c", 60_000);
    expect(await cluster.takeRunSlot(key, 1, "ses_last", "node_c", 60_000, last)).toBe(0);
    // Taken: its ticket is gone, so the next newcomer waits only for the slot.
    await cluster.releaseRunSlot(key, "ses_last", "node_c");
    expect(await cluster.takeRunSlot(key, 1, "ses_late", "node_c", 60_000)).toBe(0);
    await cluster.releaseRunSlot(key, "ses_late", "node_c");
    await cluster.forgetDeadNodes(Date.now());
  });
});
