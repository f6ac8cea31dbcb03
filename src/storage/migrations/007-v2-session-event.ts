// The v2 session log (session.next.* events, src/v2/durable-log.ts) in the store's own database,
// so that every node of a pool on PostgreSQL serves the same history and streams. On SQLite an
// older server already kept this table in agentpool.db through a connection of its own: it is
// adopted as it is (a user's log survives), and only the column pruning needs is added.
import { sql, type Kysely } from "kysely";
import type { Dialect } from "../schema.js";
import { idType } from "./types.js";

export function v2SessionEvent(dialect: Dialect) {
  const id = idType(dialect);
  return {
    async up(db: Kysely<any>): Promise<void> {
      const existing =
        dialect === "sqlite" ? await sql<{ name: string }>`SELECT name FROM pragma_table_info('v2_session_event')`.execute(db) : undefined;
      if (existing?.rows.length) {
        // Rows of the older log have no age; 0 makes their deltas the first to be pruned.
        if (!existing.rows.some((c) => c.name === "created_at"))
          await db.schema
            .alterTable("v2_session_event")
            .addColumn("created_at", "integer", (c) => c.notNull().defaultTo(0))
            .execute();
      } else {
        await db.schema
          .createTable("v2_session_event")
          // The cursor of /api/event. On PostgreSQL an identity; appends take a lock so that
          // positions commit in order (see src/v2/session-event-store.ts).
          .addColumn("position", dialect === "postgres" ? "bigint" : "integer", (c) =>
            dialect === "postgres" ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
          )
          .addColumn("session_id", id, (c) => c.notNull())
          // The session's durable sequence; null for deltas (the durable stream has none of them).
          .addColumn("seq", "integer")
          .addColumn("id", "text", (c) => c.notNull())
          .addColumn("type", "text", (c) => c.notNull())
          // The message, part or call an event is about: each type is logged once per ref.
          .addColumn("ref", id)
          .addColumn("directory", "text", (c) => c.notNull())
          .addColumn("data", "text", (c) => c.notNull())
          // ms since the epoch; bigint on PostgreSQL. Deltas are pruned by it.
          .addColumn("created_at", dialect === "postgres" ? "bigint" : "integer", (c) => c.notNull().defaultTo(0))
          .execute();
      }
      // The names the older log gave its indexes, so an adopted table keeps them.
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS v2_session_event_seq ON v2_session_event (session_id, seq)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS v2_session_event_ref ON v2_session_event (session_id, ref, type)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS v2_session_event_delta_age ON v2_session_event (created_at) WHERE seq IS NULL`.execute(db);
    },
  };
}
