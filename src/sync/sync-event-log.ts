// The log of durable session events (upstream's sync events: session.created.1, message.updated.1,
// ...), as /global/event announces them, kept in the server's database (table sync_event) so a
// client (or another server) can catch up on what it missed (POST /sync/history).
import type { EventBus } from "../bus/event-bus.js";
import type { Database } from "../storage/database.js";

export interface SyncEventRecord {
  id: string;
  aggregate_id: string;
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

export class SyncEventLog {
  private readonly stopListening: () => void;
  /** The writes not yet done, in the order the events were published; reads wait for them. */
  private writes: Promise<void> = Promise.resolve();

  /** Takes a share of the database. `onError` hears of a write that failed (the event stays unlogged). */
  constructor(
    private readonly database: Database,
    bus: EventBus,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.stopListening = bus.subscribeAll(
      (frame) => {
        if (frame.payload.type !== "sync" || !("syncEvent" in frame.payload)) return;
        const { id, aggregateID, seq, type, data } = frame.payload.syncEvent;
        const { db, executor } = this.database;
        // Like upstream, a deleted session's history goes with it (its sequence starts over if it comes back).
        const columns = { aggregate_id: aggregateID, seq, type, data: JSON.stringify(data) };
        const write =
          type === "session.deleted.1"
            ? db.deleteFrom("sync_event").where("aggregate_id", "=", aggregateID)
            : db
                .insertInto("sync_event")
                .values({ id, ...columns })
                .onConflict((c) => c.column("id").doUpdateSet(columns));
        const run = () => executor.run(write).then(() => undefined, this.onError);
        // In publishing order: on SQLite the write is done here and now; on PostgreSQL, after the ones before it.
        if (this.database.dialect === "sqlite") void run();
        else this.writes = this.writes.then(run);
      },
      { internal: true },
    );
  }

  /**
   * Every event the caller has not seen: for an aggregate it names, those after its last known
   * seq; for the others, the whole history. In order of seq, as upstream answers.
   */
  async history(known: Record<string, number>): Promise<SyncEventRecord[]> {
    await this.writes;
    const { db, executor } = this.database;
    const rows = await executor.all(
      db.selectFrom("sync_event").select(["id", "aggregate_id", "seq", "type", "data"]).orderBy("seq").orderBy("position"),
    );
    return rows
      .filter((row) => !(row.aggregate_id in known) || row.seq > known[row.aggregate_id]!)
      .map((row) => ({ ...row, seq: Number(row.seq), data: JSON.parse(row.data) as Record<string, unknown> }));
  }

  /** The last seq recorded for an aggregate, or undefined when it has none. */
  async lastSeq(aggregateID: string): Promise<number | undefined> {
    await this.writes;
    const { db, executor } = this.database;
    const row = await executor.first(
      db
        .selectFrom("sync_event")
        .select((eb) => eb.fn.max("seq").as("seq"))
        .where("aggregate_id", "=", aggregateID),
    );
    return row?.seq == null ? undefined : Number(row.seq);
  }

  /** Stops logging, finishes the writes under way, and lets go of the database. */
  async close(): Promise<void> {
    this.stopListening();
    await this.writes;
    await this.database.close();
  }
}
