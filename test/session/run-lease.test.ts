// Run leases on a real database (SQLite here; the same queries run on PostgreSQL in
// test/storage/cluster-store.test.ts): a node that stalled past its lease learns at its next
// heartbeat that another node took the lease over, and one node alone does the work of a
// lease nobody holds (finalising a dead node's run).
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/storage/database.js";
import { SqlClusterStore } from "../../src/storage/sql-cluster-store.js";
import { RunLeases } from "../../src/session/run-lease.js";
import { makeTempDir } from "../support/temp.js";

let database: Database;
let cluster: SqlClusterStore;
const started: RunLeases[] = [];

beforeEach(async () => {
  database = await openDatabase({ file: path.join(makeTempDir("run-lease"), "agentpool.db") });
  cluster = new SqlClusterStore(database);
});
afterEach(async () => {
  for (const leases of started.splice(0)) leases.stop();
  await database.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function node(nodeID: string, options: { onLost?: (sessionID: string) => void } = {}): RunLeases {
  const leases = new RunLeases(cluster, { nodeID, ttlMs: 150, ...options });
  started.push(leases);
  return leases;
}

describe("run leases", () => {
  it("tells a node that stalled past its lease which runs another node took over", async () => {
    const lost: string[] = [];
    const a = node("node_a", { onLost: (sessionID) => lost.push(sessionID) }).start();
    expect(await a.acquire("ses_1")).toBe(true);
    expect(await a.acquire("ses_2")).toBe(true);
    // A stalls: no heartbeat for longer than the ttl; B takes over one of its sessions.
    a.stop();
    await pause(200);
    expect(await node("node_b").start().acquire("ses_1")).toBe(true);
    a.start();
    await expect.poll(() => lost).toEqual(["ses_1"]);
    // The session B did not take is still A's: renewed, not lost.
    await pause(200);
    expect(lost).toEqual(["ses_1"]);
    expect(await cluster.liveRunLeases(Date.now())).toEqual(
      expect.arrayContaining([
        { sessionID: "ses_1", nodeID: "node_b" },
        { sessionID: "ses_2", nodeID: "node_a" },
      ]),
    );
  });

  it("lets one node alone do the work of a lease nobody holds, and none while a run holds it", async () => {
    const nodes = ["node_a", "node_b", "node_c"].map((id) => node(id));
    let worked = 0;
    const work = async () => {
      worked++;
      await pause(30);
    };
    const done = await Promise.all(nodes.map((leases) => leases.whileHolding("ses_dead", work)));
    expect(done.filter(Boolean)).toHaveLength(1);
    expect(worked).toBe(1);
    // Given up after the work: free for the next.
    expect(await cluster.liveRunLeases(Date.now(), "ses_dead")).toEqual([]);
    expect(await nodes[0]!.acquire("ses_live")).toBe(true);
    expect(await nodes[1]!.whileHolding("ses_live", work)).toBe(false);
    expect(await nodes[0]!.whileHolding("ses_live", work)).toBe(false);
    expect(worked).toBe(1);
  });
});
