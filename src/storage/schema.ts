// The tables of the database, as Kysely sees them. Each record is kept whole as JSON text (`data`),
// with the columns it is found and ordered by beside it. The same schema on SQLite and PostgreSQL.
import type { Generated } from "kysely";

export interface ProjectTable {
  id: string;
  data: string;
}

export interface SessionTable {
  id: string;
  project_id: string;
  parent_id: string | null;
  /** ms; bigint on PostgreSQL. */
  time_updated: number;
  title: string;
  /** The next number of the session's durable event sequence. */
  event_seq: Generated<number>;
  data: string;
}

export interface MessageTable {
  id: string;
  session_id: string;
  /** 1 for an assistant message never completed (a run that was going), else 0. */
  unfinished: Generated<number>;
  data: string;
}

export interface PartTable {
  id: string;
  message_id: string;
  session_id: string;
  data: string;
}

export interface TodoTable {
  session_id: string;
  data: string;
}

export interface RememberedPermissionTable {
  project_id: string;
  data: string;
}

export interface SyncEventTable {
  /** Insertion order, the tie-break between events of one seq. */
  position: Generated<number>;
  id: string;
  aggregate_id: string;
  seq: number;
  type: string;
  data: string;
}

export interface RunLeaseTable {
  session_id: string;
  /** The node running the session. */
  node_id: string;
  /** ms; bigint on PostgreSQL. */
  expires_at: number;
}

export interface NodeTable {
  id: string;
  /** ms; bigint on PostgreSQL. Past it, the node is taken for dead. */
  expires_at: number;
}

export interface PendingRequestTable {
  id: string;
  kind: "permission" | "question";
  session_id: string;
  /** The node whose run waits for the reply. */
  node_id: string;
  data: string;
}

export interface EventOutboxTable {
  /** The node that published the event. */
  node_id: string;
  /** Its place in that node's sequence; bigint on PostgreSQL. */
  seq: number;
  /** ms; bigint on PostgreSQL. */
  created_at: number;
  /** The event's frame as JSON text. */
  frame: string;
}

/** One of a capped key's slots (0..cap-1), held by a run like a lease. */
export interface RunSlotTable {
  /** "agent:<name>" or "provider:<id>". */
  key: string;
  slot: number;
  session_id: string;
  node_id: string;
  /** ms; bigint on PostgreSQL. Past it, the slot is free. */
  expires_at: number;
}

/** A run waiting for a slot of `key`, in `id` order. */
export interface RunSlotTicketTable {
  /** bigint on PostgreSQL (read back as a string there). */
  id: Generated<number>;
  key: string;
  session_id: string;
  node_id: string;
  /** ms; bigint on PostgreSQL. Past it, the ticket's node died and nobody waits behind it. */
  expires_at: number;
}

export interface V2SessionEventTable {
  /** Place in the whole log (the /api/event cursor); bigint on PostgreSQL. */
  position: Generated<number>;
  session_id: string;
  /** The session's durable sequence; null for deltas. */
  seq: number | null;
  id: string;
  type: string;
  /** The message, part or call the event is about (each type once per ref). */
  ref: string | null;
  directory: string;
  /** The event's data as JSON text. */
  data: string;
  /** ms; bigint on PostgreSQL. */
  created_at: Generated<number>;
}

export interface Schema {
  project: ProjectTable;
  session: SessionTable;
  message: MessageTable;
  part: PartTable;
  todo: TodoTable;
  remembered_permission: RememberedPermissionTable;
  sync_event: SyncEventTable;
  run_lease: RunLeaseTable;
  node: NodeTable;
  pending_request: PendingRequestTable;
  event_outbox: EventOutboxTable;
  run_slot: RunSlotTable;
  run_slot_ticket: RunSlotTicketTable;
  v2_session_event: V2SessionEventTable;
}

export type Dialect = "sqlite" | "postgres";
