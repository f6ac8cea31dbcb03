// What the nodes of a pool share beside the records: who is alive, which node runs which session
// (run leases), and the requests a run waits on. The embedded SQLite database has it too: a lone
// server is a pool of one, and several servers on one data folder lease its sessions the same way.

/** A permission or question request waiting for a reply, and the node whose run waits. */
export interface PendingRecord<Request = unknown> {
  id: string;
  kind: "permission" | "question";
  sessionID: string;
  nodeID: string;
  request: Request;
}

export interface ClusterStore {
  /**
   * Takes the session's run lease for `nodeID` until now + `ttlMs`: when no node holds it, when
   * its holder let it expire, or when `nodeID` holds it already. Atomic; true when taken.
   */
  acquireRunLease(sessionID: string, nodeID: string, ttlMs: number): Promise<boolean>;
  /**
   * The node's heartbeat: keeps it alive and its leases, run slots and slot tickets held until
   * now + `ttlMs`. Answers the sessions whose leases it still holds (a lease another node took over is no longer among them).
   */
  renewNode(nodeID: string, ttlMs: number): Promise<string[]>;
  /** Gives the session's lease up, if `nodeID` holds it. */
  releaseRunLease(sessionID: string, nodeID: string): Promise<void>;
  /** The live leases at `at` (ms), of every session or of one: which node runs which session. */
  liveRunLeases(at: number, sessionID?: string): Promise<{ sessionID: string; nodeID: string }[]>;

  /**
   * Puts the session's run in line for a slot of `key` (cap on concurrent runs, ./run-slots in
   * session/): answers its ticket, numbered by the database in arrival order across the pool.
   * Kept alive by the node's heartbeat (renewNode) until taken or dropped.
   */
  enqueueRunSlot(key: string, sessionID: string, nodeID: string, ttlMs: number): Promise<number>;
  /**
   * Takes one of `key`'s `cap` slots for the session on `nodeID` until now + `ttlMs` when its run
   * is next in line: fewer live tickets wait ahead of `ticket` (without one: at all) than there
   * are slots no other live run holds. Each slot is taken atomically (one holder, however many
   * nodes race for it). Drops the ticket once taken. Answers the slot number, or undefined.
   */
  takeRunSlot(key: string, cap: number, sessionID: string, nodeID: string, ttlMs: number, ticket?: number): Promise<number | undefined>;
  /** Gives up the session's slots of `key` held on `nodeID`. */
  releaseRunSlot(key: string, sessionID: string, nodeID: string): Promise<void>;
  /** Leaves the line (a waiting run aborted). */
  dropRunSlotTicket(ticket: number): Promise<void>;
  /** The live slots of `key` at `at` (ms) and who holds them. */
  liveRunSlots(key: string, at: number): Promise<{ slot: number; sessionID: string; nodeID: string }[]>;

  putPendingRequest(record: PendingRecord): Promise<void>;
  deletePendingRequest(id: string): Promise<void>;
  /** The request, while the node that waits for it is alive at `at`. */
  getPendingRequest<Request>(id: string, at: number): Promise<PendingRecord<Request> | undefined>;
  /** The requests of a kind whose nodes are alive at `at`, or only `nodeID`'s (alive, as it asks), oldest first. */
  listPendingRequests<Request>(kind: PendingRecord["kind"], at: number, nodeID?: string): Promise<PendingRecord<Request>[]>;
  /** Forgets nodes dead at `at` and what they left: their requests (nobody waits for them any more), expired slots and tickets. */
  forgetDeadNodes(at: number): Promise<void>;
  /** Forgets a node that stops: its heartbeat, leases, slots, tickets and requests. */
  forgetNode(nodeID: string): Promise<void>;

  close(): Promise<void>;
}
