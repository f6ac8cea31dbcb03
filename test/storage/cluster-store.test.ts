// The pool's shared state, the same cases on SQLite and on a real PostgreSQL: run leases (one node
// at a time, taken over once expired, renewed by the node's heartbeat, which tells it the leases
// it lost), which unfinished runs count as interrupted, live nodes, and the pending requests of
// live nodes, forgotten with their node.
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
});
