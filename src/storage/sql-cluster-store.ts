// The pool's shared state (./cluster-store.ts) on the SQL database the store uses, SQLite or
// PostgreSQL, with the same queries.
import type { ClusterStore, PendingRecord } from "./cluster-store.js";
import type { Database } from "./database.js";

export class SqlClusterStore implements ClusterStore {
  constructor(private readonly database: Database) {}

  async acquireRunLease(sessionID: string, nodeID: string, ttlMs: number): Promise<boolean> {
    const { db, executor } = this.database;
    const now = Date.now();
    // One statement: insert, or take over a lease that expired or is ours already.
    const changed = await executor.run(
      db
        .insertInto("run_lease")
        .values({ session_id: sessionID, node_id: nodeID, expires_at: now + ttlMs })
        .onConflict((c) =>
          c
            .column("session_id")
            .doUpdateSet({ node_id: nodeID, expires_at: now + ttlMs })
            .where((eb) => eb.or([eb("run_lease.expires_at", "<=", now), eb("run_lease.node_id", "=", nodeID)])),
        ),
    );
    return changed > 0;
  }

  async renewNode(nodeID: string, ttlMs: number): Promise<string[]> {
    const { db, executor } = this.database;
    const expires = Date.now() + ttlMs;
    await executor.run(
      db
        .insertInto("node")
        .values({ id: nodeID, expires_at: expires })
        .onConflict((c) => c.column("id").doUpdateSet({ expires_at: expires })),
    );
    const held = await executor.all(
      db.updateTable("run_lease").set({ expires_at: expires }).where("node_id", "=", nodeID).returning("session_id"),
    );
    return held.map((row) => row.session_id);
  }

  async releaseRunLease(sessionID: string, nodeID: string): Promise<void> {
    const { db, executor } = this.database;
    await executor.run(db.deleteFrom("run_lease").where("session_id", "=", sessionID).where("node_id", "=", nodeID));
  }

  async liveRunLeases(at: number, sessionID?: string): Promise<{ sessionID: string; nodeID: string }[]> {
    const { db, executor } = this.database;
    let query = db.selectFrom("run_lease").select(["session_id", "node_id"]).where("expires_at", ">", at);
    if (sessionID !== undefined) query = query.where("session_id", "=", sessionID);
    const rows = await executor.all(query);
    return rows.map((row) => ({ sessionID: row.session_id, nodeID: row.node_id }));
  }

  async putPendingRequest(record: PendingRecord): Promise<void> {
    const { db, executor } = this.database;
    const data = JSON.stringify(record.request);
    await executor.run(
      db
        .insertInto("pending_request")
        .values({ id: record.id, kind: record.kind, session_id: record.sessionID, node_id: record.nodeID, data })
        .onConflict((c) => c.column("id").doUpdateSet({ node_id: record.nodeID, data })),
    );
  }

  async deletePendingRequest(id: string): Promise<void> {
    const { db, executor } = this.database;
    await executor.run(db.deleteFrom("pending_request").where("id", "=", id));
  }

  private livePending(at: number) {
    return this.database.db
      .selectFrom("pending_request")
      .innerJoin("node", "node.id", "pending_request.node_id")
      .select(["pending_request.id", "kind", "session_id", "node_id", "data"])
      .where("node.expires_at", ">", at);
  }

  async getPendingRequest<Request>(id: string, at: number): Promise<PendingRecord<Request> | undefined> {
    const row = await this.database.executor.first(this.livePending(at).where("pending_request.id", "=", id));
    return row && pendingRecord<Request>(row);
  }

  async listPendingRequests<Request>(kind: PendingRecord["kind"], at: number, nodeID?: string): Promise<PendingRecord<Request>[]> {
    const query =
      nodeID === undefined
        ? this.livePending(at).where("kind", "=", kind)
        : this.database.db
            .selectFrom("pending_request")
            .select(["pending_request.id", "kind", "session_id", "node_id", "data"])
            .where("kind", "=", kind)
            .where("node_id", "=", nodeID);
    const rows = await this.database.executor.all(query.orderBy("pending_request.id"));
    return rows.map((row) => pendingRecord<Request>(row));
  }

  async forgetDeadNodes(at: number): Promise<void> {
    const { db, executor } = this.database;
    const dead = db.selectFrom("node").select("id").where("expires_at", "<=", at);
    await executor.transaction([
      db.deleteFrom("pending_request").where("node_id", "in", dead),
      // A request whose node never beat at all is as orphaned.
      db
        .deleteFrom("pending_request")
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom("node").select("node.id").whereRef("node.id", "=", "pending_request.node_id"))),
        ),
      db.deleteFrom("node").where("expires_at", "<=", at),
    ]);
  }

  async forgetNode(nodeID: string): Promise<void> {
    const { db, executor } = this.database;
    await executor.transaction([
      db.deleteFrom("pending_request").where("node_id", "=", nodeID),
      db.deleteFrom("run_lease").where("node_id", "=", nodeID),
      db.deleteFrom("node").where("id", "=", nodeID),
    ]);
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

function pendingRecord<Request>(row: { id: string; kind: PendingRecord["kind"]; session_id: string; node_id: string; data: string }) {
  return { id: row.id, kind: row.kind, sessionID: row.session_id, nodeID: row.node_id, request: JSON.parse(row.data) as Request };
}
