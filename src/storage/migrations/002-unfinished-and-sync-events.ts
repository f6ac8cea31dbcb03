// Two things the SQLite-only store found with SQLite's own means, made portable:
// - message.unfinished: an assistant message never completed (json_extract before), filled in
//   for the messages already stored;
// - sync_event: the durable event log, which had its own SQLite file (sync-events.db), ordered
//   by its insertion `position` (SQLite's rowid before).
import { sql, type Kysely } from "kysely";
import type { Dialect } from "../schema.js";
import { isUnfinished } from "../unfinished.js";
import { idType } from "./types.js";

const BATCH = 500;

export function unfinishedAndSyncEvents(dialect: Dialect) {
  const id = idType(dialect);
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable("message")
        .addColumn("unfinished", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      for (let after = ""; ;) {
        const rows = (await db
          .selectFrom("message")
          .select(["id", "data"])
          .where("id", ">", after)
          .orderBy("id")
          .limit(BATCH)
          .execute()) as { id: string; data: string }[];
        if (!rows.length) break;
        const unfinished = rows.filter((row) => isUnfinished(JSON.parse(row.data))).map((row) => row.id);
        if (unfinished.length) await db.updateTable("message").set({ unfinished: 1 }).where("id", "in", unfinished).execute();
        after = rows[rows.length - 1]!.id;
      }
      await sql`CREATE INDEX message_unfinished ON message (unfinished, id)`.execute(db);

      await db.schema
        .createTable("sync_event")
        // SQLite's autoincrement wants exactly INTEGER PRIMARY KEY (64-bit there); PostgreSQL's integer is 32-bit.
        .addColumn("position", dialect === "postgres" ? "bigint" : "integer", (c) =>
          dialect === "postgres" ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn("id", id, (c) => c.notNull().unique())
        .addColumn("aggregate_id", id, (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("data", "text", (c) => c.notNull())
        .execute();
      await sql`CREATE INDEX sync_event_by_aggregate ON sync_event (aggregate_id, seq)`.execute(db);
      await sql`CREATE INDEX sync_event_by_seq ON sync_event (seq, position)`.execute(db);
    },
  };
}
