// The log of durable session events (upstream's sync events: session.created.1, message.updated.1,
// ...), as /global/event announces them, kept in sync-events.db in the data folder so a client
// (or another server) can catch up on what it missed (POST /sync/history).
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { EventBus } from "../bus/event-bus.js";

export interface SyncEventRecord {
  id: string;
  aggregate_id: string;
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

export class SyncEventLog {
  private readonly db: Database.Database;
  private readonly stopListening: () => void;

  constructor(file: string, bus: EventBus) {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS sync_event (
         id TEXT PRIMARY KEY, aggregate_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL);
       CREATE INDEX IF NOT EXISTS sync_event_by_aggregate ON sync_event (aggregate_id, seq);`,
    );
    this.stopListening = bus.subscribeAll(
      (frame) => {
        if (frame.payload.type !== "sync" || !("syncEvent" in frame.payload)) return;
        const { id, aggregateID, seq, type, data } = frame.payload.syncEvent;
        // Like upstream, a deleted session's history goes with it (its sequence starts over if it comes back).
        if (type === "session.deleted.1") {
          this.db.prepare("DELETE FROM sync_event WHERE aggregate_id = ?").run(aggregateID);
          return;
        }
        this.db
          .prepare("INSERT OR REPLACE INTO sync_event (id, aggregate_id, seq, type, data) VALUES (?, ?, ?, ?, ?)")
          .run(id, aggregateID, seq, type, JSON.stringify(data));
      },
      { internal: true },
    );
  }

  /**
   * Every event the caller has not seen: for an aggregate it names, those after its last known
   * seq; for the others, the whole history. In order of seq, as upstream answers.
   */
  history(known: Record<string, number>): SyncEventRecord[] {
    const rows = this.db.prepare("SELECT id, aggregate_id, seq, type, data FROM sync_event ORDER BY seq, rowid").all() as (Omit<
      SyncEventRecord,
      "data"
    > & { data: string })[];
    return rows
      .filter((row) => !(row.aggregate_id in known) || row.seq > known[row.aggregate_id]!)
      .map((row) => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> }));
  }

  /** The last seq recorded for an aggregate, or undefined when it has none. */
  lastSeq(aggregateID: string): number | undefined {
    const row = this.db.prepare("SELECT MAX(seq) AS seq FROM sync_event WHERE aggregate_id = ?").get(aggregateID) as { seq: number | null };
    return row.seq ?? undefined;
  }

  close(): void {
    this.stopListening();
    this.db.close();
  }
}
