// The schema the SQLite store has had since its start (its `user_version` 1). Every statement is
// "if not exists", so a database made before the migrations were Kysely's takes this one as done.
import { sql, type Kysely } from "kysely";
import type { Dialect } from "../schema.js";
import { idType } from "./types.js";

export function initial(dialect: Dialect) {
  const id = idType(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("project")
        .ifNotExists()
        .addColumn("id", id, (c) => c.primaryKey())
        .addColumn("data", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("session")
        .ifNotExists()
        .addColumn("id", id, (c) => c.primaryKey())
        .addColumn("project_id", id, (c) => c.notNull())
        .addColumn("parent_id", id)
        .addColumn("time_updated", "bigint", (c) => c.notNull())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("event_seq", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("data", "text", (c) => c.notNull())
        .execute();
      await sql`CREATE INDEX IF NOT EXISTS session_by_project ON session (project_id, time_updated DESC)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS session_by_parent ON session (parent_id)`.execute(db);
      await db.schema
        .createTable("message")
        .ifNotExists()
        .addColumn("id", id, (c) => c.primaryKey())
        .addColumn("session_id", id, (c) => c.notNull())
        .addColumn("data", "text", (c) => c.notNull())
        .execute();
      await sql`CREATE INDEX IF NOT EXISTS message_by_session ON message (session_id, id)`.execute(db);
      await db.schema
        .createTable("part")
        .ifNotExists()
        .addColumn("id", id, (c) => c.primaryKey())
        .addColumn("message_id", id, (c) => c.notNull())
        .addColumn("session_id", id, (c) => c.notNull())
        .addColumn("data", "text", (c) => c.notNull())
        .execute();
      await sql`CREATE INDEX IF NOT EXISTS part_by_message ON part (message_id, id)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS part_by_session ON part (session_id)`.execute(db);
      await db.schema
        .createTable("todo")
        .ifNotExists()
        .addColumn("session_id", id, (c) => c.primaryKey())
        .addColumn("data", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("remembered_permission")
        .ifNotExists()
        .addColumn("project_id", id, (c) => c.primaryKey())
        .addColumn("data", "text", (c) => c.notNull())
        .execute();
    },
  };
}
