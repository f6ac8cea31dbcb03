// Where the v2 session log (./durable-log.ts) keeps its events: the table v2_session_event of the
// store's database (migration 007), on SQLite or PostgreSQL.
//
// - SQLite: synchronous (the store's SqliteExecutor runs a query when it is asked for), so the log
//   records a bus event inside its publish, before the next one. One process writes at a time, so
//   an INSERT whose seq is the session's MAX(seq)+1 is gapless and positions are in commit order.
// - PostgreSQL: asynchronous, several nodes at once. Each append is one transaction that first
//   takes one advisory lock shared by every node: positions (an identity) then commit in the order
//   they were drawn, so a reader that has seen position p will never later find a row below p
//   (without the lock, a slower transaction could commit a smaller position after a reader moved
//   on), and the seq each INSERT computes from MAX(seq) sees every earlier append. A unique
//   violation on (session_id, seq) (a writer without the lock) is retried. The transaction
//   NOTIFYs V2_LOG_CHANNEL with its last position, delivered once the rows are visible.
import { sql, type Kysely } from "kysely";
import type { Database } from "../storage/database.js";
import { SqliteExecutor } from "../storage/executor.js";
import type { Schema } from "../storage/schema.js";

/** The channel a PostgreSQL append NOTIFYs (payload: its last position); the pool's listener listens on it. */
export const V2_LOG_CHANNEL = "agentpool_v2_log";

/** Any 64-bit number; names the log's append lock among the database's advisory locks. */
const APPEND_LOCK = 0x616770_76326c; // "agpv2l"
const ATTEMPTS = 5;
/** Rows per read of the whole log (a resume after a long absence is paged). */
const PAGE = 1_000;

export type MaybePromise<T> = T | Promise<T>;

/** One logged row, as read back. */
export interface EventRow {
  position: number;
  session_id: string;
  seq: number | null;
  id: string;
  type: string;
  directory: string;
  data: string;
}

/** An event to append: `durable` ones take the session's next seq, the others (deltas) none. */
export interface NewEvent {
  sessionID: string;
  id: string;
  type: string;
  durable: boolean;
  /** The message, part or call it is about. */
  ref?: string;
  directory: string;
  data: Record<string, unknown>;
}

/** A session's history derived from its messages, with the seqs it was derived with. */
export interface SeedEvent {
  id: string;
  type: string;
  seq: number;
  directory: string;
  data: Record<string, unknown>;
}

export interface SessionEventStore {
  /** Synchronous (SQLite): every MaybePromise it answers is a plain value. */
  readonly sync: boolean;
  /** The session's events about these refs, as "type ref" keys. */
  known(sessionID: string, refs: string[]): MaybePromise<Set<string>>;
  /** Appends in order; answers the rows with their position and seq. */
  append(events: NewEvent[]): MaybePromise<EventRow[]>;
  /** Writes a session's derived history unless the session already has events; answers whether it did. */
  seed(sessionID: string, events: SeedEvent[]): Promise<boolean>;
  deleteSession(sessionID: string): MaybePromise<void>;
  has(sessionID: string): Promise<boolean>;
  /** The session's durable events after a seq, in order. */
  bySession(sessionID: string, afterSeq: number): Promise<EventRow[]>;
  /** Events of the whole log after a position, in order, at most `limit` (all when not given). */
  since(position: number, limit?: number): Promise<EventRow[]>;
  lastPosition(): Promise<number>;
  seqOf(sessionID: string, type: string, ref: string): Promise<number | undefined>;
  /** Deletes the deltas logged before `before` (ms); answers how many. */
  pruneDeltas(before: number): Promise<number>;
}

/** The store for a database: synchronous on SQLite, pooled on PostgreSQL. */
export function sessionEventStore(database: Database): SessionEventStore {
  return database.executor instanceof SqliteExecutor
    ? new SqliteSessionEventStore(database, database.executor)
    : new PgSessionEventStore(database);
}

const key = (type: string, ref: string) => `${type} ${ref}`;

/** bigint columns come back from PostgreSQL as strings. */
function toRow(row: EventRow): EventRow {
  return { ...row, position: Number(row.position), seq: row.seq === null ? null : Number(row.seq) };
}

const COLUMNS = ["position", "session_id", "seq", "id", "type", "directory", "data"] as const;

/** The reads, the same SQL on both databases. */
abstract class SqlEventStore implements Pick<SessionEventStore, "has" | "bySession" | "since" | "lastPosition" | "seqOf" | "pruneDeltas"> {
  protected readonly db: Kysely<Schema>;

  constructor(protected readonly database: Database) {
    this.db = database.db;
  }

  protected insert(event: NewEvent, now: number) {
    const { sessionID } = event;
    return this.db
      .insertInto("v2_session_event")
      .values({
        session_id: sessionID,
        // Inside the INSERT: the session's last seq as this statement sees it (see the header).
        seq: event.durable ? sql<number>`(SELECT COALESCE(MAX(seq), 0) + 1 FROM v2_session_event WHERE session_id = ${sessionID})` : null,
        id: event.id,
        type: event.type,
        ref: event.ref ?? null,
        directory: event.directory,
        data: JSON.stringify(event.data),
        created_at: now,
      })
      .returning(COLUMNS);
  }

  protected seedRows(sessionID: string, events: SeedEvent[], now: number) {
    return events.map((event) =>
      this.db.insertInto("v2_session_event").values({
        session_id: sessionID,
        seq: event.seq,
        id: event.id,
        type: event.type,
        ref: null,
        directory: event.directory,
        data: JSON.stringify(event.data),
        created_at: now,
      }),
    );
  }

  protected knownQuery(sessionID: string, refs: string[]) {
    return this.db.selectFrom("v2_session_event").select(["type", "ref"]).where("session_id", "=", sessionID).where("ref", "in", refs);
  }

  protected anyQuery(sessionID: string) {
    return this.db.selectFrom("v2_session_event").select("position").where("session_id", "=", sessionID).limit(1);
  }

  protected deleteQuery(sessionID: string) {
    return this.db.deleteFrom("v2_session_event").where("session_id", "=", sessionID);
  }

  async has(sessionID: string): Promise<boolean> {
    return (await this.database.executor.first(this.anyQuery(sessionID))) !== undefined;
  }

  async bySession(sessionID: string, afterSeq: number): Promise<EventRow[]> {
    const rows = await this.database.executor.all(
      this.db.selectFrom("v2_session_event").select(COLUMNS).where("session_id", "=", sessionID).where("seq", ">", afterSeq).orderBy("seq"),
    );
    return rows.map(toRow);
  }

  async since(position: number, limit?: number): Promise<EventRow[]> {
    const all: EventRow[] = [];
    for (let after = position; ;) {
      const page = Math.min(PAGE, limit === undefined ? PAGE : limit - all.length);
      const rows = await this.database.executor.all(
        this.db.selectFrom("v2_session_event").select(COLUMNS).where("position", ">", after).orderBy("position").limit(page),
      );
      all.push(...rows.map(toRow));
      if (rows.length < page || (limit !== undefined && all.length >= limit)) return all;
      after = all.at(-1)!.position;
    }
  }

  async lastPosition(): Promise<number> {
    const row = await this.database.executor.first(
      this.db.selectFrom("v2_session_event").select((eb) => eb.fn.max("position").as("position")),
    );
    return Number(row?.position ?? 0);
  }

  async seqOf(sessionID: string, type: string, ref: string): Promise<number | undefined> {
    const row = await this.database.executor.first(
      this.db
        .selectFrom("v2_session_event")
        .select("seq")
        .where("session_id", "=", sessionID)
        .where("ref", "=", ref)
        .where("type", "=", type)
        .limit(1),
    );
    return row?.seq == null ? undefined : Number(row.seq);
  }

  pruneDeltas(before: number): Promise<number> {
    return this.database.executor.run(this.db.deleteFrom("v2_session_event").where("seq", "is", null).where("created_at", "<", before));
  }
}

class SqliteSessionEventStore extends SqlEventStore implements SessionEventStore {
  readonly sync = true;

  constructor(
    database: Database,
    private readonly sqlite: SqliteExecutor,
  ) {
    super(database);
  }

  known(sessionID: string, refs: string[]): Set<string> {
    if (!refs.length) return new Set();
    return new Set(this.sqlite.allNow(this.knownQuery(sessionID, refs)).map((row) => key(row.type, row.ref!)));
  }

  append(events: NewEvent[]): EventRow[] {
    const now = Date.now();
    // Each INSERT is atomic on its own: SQLite has one writer at a time.
    return events.map((event) => toRow(this.sqlite.allNow(this.insert(event, now))[0]!));
  }

  async seed(sessionID: string, events: SeedEvent[]): Promise<boolean> {
    // Checked and written in one synchronous block: nothing of this process is logged in between.
    if (this.sqlite.allNow(this.anyQuery(sessionID)).length) return false;
    await this.sqlite.transaction(this.seedRows(sessionID, events, Date.now()));
    return true;
  }

  deleteSession(sessionID: string): void {
    this.sqlite.allNow(this.deleteQuery(sessionID));
  }
}

class PgSessionEventStore extends SqlEventStore implements SessionEventStore {
  readonly sync = false;

  async known(sessionID: string, refs: string[]): Promise<Set<string>> {
    if (!refs.length) return new Set();
    return new Set((await this.knownQuery(sessionID, refs).execute()).map((row) => key(row.type, row.ref!)));
  }

  append(events: NewEvent[]): Promise<EventRow[]> {
    if (!events.length) return Promise.resolve([]);
    return this.locked(async (trx) => {
      const now = Date.now();
      const rows: EventRow[] = [];
      for (const event of events) rows.push(toRow((await trx.executeQuery(this.insert(event, now))).rows[0]!));
      return rows;
    });
  }

  async seed(sessionID: string, events: SeedEvent[]): Promise<boolean> {
    return this.locked(async (trx) => {
      if ((await trx.executeQuery(this.anyQuery(sessionID))).rows.length) return false;
      for (const query of this.seedRows(sessionID, events, Date.now())) await trx.executeQuery(query);
      return true;
    });
  }

  async deleteSession(sessionID: string): Promise<void> {
    await this.deleteQuery(sessionID).execute();
  }

  /** Runs `work` in a transaction holding the append lock, retried on a seq taken meanwhile; NOTIFYs its last position. */
  private async locked<T>(work: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (trx) => {
          await sql`SELECT pg_advisory_xact_lock(${APPEND_LOCK})`.execute(trx);
          const result = await work(trx);
          // Under the lock, the greatest position is this transaction's last row.
          await sql`SELECT pg_notify(${V2_LOG_CHANNEL}, (SELECT MAX(position) FROM v2_session_event)::text)`.execute(trx);
          return result;
        });
      } catch (error) {
        if ((error as { code?: string }).code !== "23505" || attempt >= ATTEMPTS) throw error;
      }
    }
  }
}
