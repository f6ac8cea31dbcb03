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
    // A slot another node took over once it expired names that node now: it is not renewed here.
    await executor.run(db.updateTable("run_slot").set({ expires_at: expires }).where("node_id", "=", nodeID));
    await executor.run(db.updateTable("run_slot_ticket").set({ expires_at: expires }).where("node_id", "=", nodeID));
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

  async enqueueRunSlot(key: string, sessionID: string, nodeID: string, ttlMs: number): Promise<number> {
    const { db, executor } = this.database;
    const values = { key, session_id: sessionID, node_id: nodeID, expires_at: Date.now() + ttlMs };
    const [row] = await executor.all(db.insertInto("run_slot_ticket").values(values).returning("id"));
    // bigint comes back from PostgreSQL as a string.
    return Number(row!.id);
  }

  async takeRunSlot(
    key: string,
    cap: number,
    sessionID: string,
    nodeID: string,
    ttlMs: number,
    ticket?: number,
  ): Promise<number | undefined> {
    const { db, executor } = this.database;
    const now = Date.now();
    const live = await this.liveRunSlots(key, now);
    const ours = (slot: { sessionID: string; nodeID: string }) => slot.sessionID === sessionID && slot.nodeID === nodeID;
    const others = live.filter((slot) => !ours(slot));
    let waiting = db
      .selectFrom("run_slot_ticket")
      .select((eb) => eb.fn.countAll().as("count"))
      .where("key", "=", key)
      .where("expires_at", ">", now);
    if (ticket !== undefined) waiting = waiting.where("id", "<", ticket);
    const ahead = Number((await executor.first(waiting))?.count ?? 0);
    // Older runs first: this one goes only when the free slots outnumber those waiting before it.
    if (ahead >= cap - others.length) return undefined;
    const busy = new Set(others.map((slot) => slot.slot));
    const candidates = [...live.filter(ours).map((slot) => slot.slot)];
    for (let slot = 0; slot < cap; slot++) if (!busy.has(slot) && !candidates.includes(slot)) candidates.push(slot);
    for (const slot of candidates) {
      const expires = now + ttlMs;
      // One statement, as for run leases: a free slot, an expired one, or ours already.
      const changed = await executor.run(
        db
          .insertInto("run_slot")
          .values({ key, slot, session_id: sessionID, node_id: nodeID, expires_at: expires })
          .onConflict((c) =>
            c
              .columns(["key", "slot"])
              .doUpdateSet({ session_id: sessionID, node_id: nodeID, expires_at: expires })
              .where((eb) =>
                eb.or([
                  eb("run_slot.expires_at", "<=", now),
                  eb.and([eb("run_slot.session_id", "=", sessionID), eb("run_slot.node_id", "=", nodeID)]),
                ]),
              ),
          ),
      );
      if (!changed) continue;
      if (ticket !== undefined) await this.dropRunSlotTicket(ticket);
      return slot;
    }
    return undefined;
  }

  async releaseRunSlot(key: string, sessionID: string, nodeID: string): Promise<void> {
    const { db, executor } = this.database;
    await executor.run(db.deleteFrom("run_slot").where("key", "=", key).where("session_id", "=", sessionID).where("node_id", "=", nodeID));
  }

  async dropRunSlotTicket(ticket: number): Promise<void> {
    const { db, executor } = this.database;
    await executor.run(db.deleteFrom("run_slot_ticket").where("id", "=", ticket));
  }

  async liveRunSlots(key: string, at: number): Promise<{ slot: number; sessionID: string; nodeID: string }[]> {
    const { db, executor } = this.database;
    const rows = await executor.all(
      db
        .selectFrom("run_slot")
        .select(["slot", "session_id", "node_id"])
        .where("key", "=", key)
        .where("expires_at", ">", at)
        .orderBy("slot"),
    );
    return rows.map((row) => ({ slot: Number(row.slot), sessionID: row.session_id, nodeID: row.node_id }));
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
      // Free anyway once expired (taken over by the next run): only tidied away here.
      db.deleteFrom("run_slot").where("expires_at", "<=", at),
      db.deleteFrom("run_slot_ticket").where("expires_at", "<=", at),
    ]);
  }

  async forgetNode(nodeID: string): Promise<void> {
    const { db, executor } = this.database;
    await executor.transaction([
      db.deleteFrom("pending_request").where("node_id", "=", nodeID),
      db.deleteFrom("run_lease").where("node_id", "=", nodeID),
      db.deleteFrom("run_slot").where("node_id", "=", nodeID),
      db.deleteFrom("run_slot_ticket").where("node_id", "=", nodeID),
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
