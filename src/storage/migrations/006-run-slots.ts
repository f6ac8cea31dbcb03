// Run slots: caps on concurrent runs per agent or provider across the pool. A capped key
// ("agent:build", "provider:anthropic") has slots 0..cap-1, each a row taken like a run lease
// (holder session and node, `expires_at` in ms renewed by the node's heartbeat): the primary key
// makes taking one atomic, and a dead node's slots expire and are taken over. A run that finds
// none free waits with a ticket; tickets are served in `id` order, so runs go in arrival order.
import type { Kysely } from "kysely";
import type { Dialect } from "../schema.js";
import { idType } from "./types.js";

export function runSlots(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("run_slot")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("slot", "integer", (c) => c.notNull())
        .addColumn("session_id", idType(dialect), (c) => c.notNull())
        .addColumn("node_id", "text", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("run_slot_pk", ["key", "slot"])
        .execute();
      await db.schema.createIndex("run_slot_node").on("run_slot").column("node_id").execute();
      await db.schema
        .createTable("run_slot_ticket")
        // Arrival order across the pool: the database numbers tickets, not the nodes' clocks.
        // SQLite's autoincrement wants exactly INTEGER PRIMARY KEY; PostgreSQL's integer is 32-bit.
        .addColumn("id", dialect === "postgres" ? "bigint" : "integer", (c) =>
          dialect === "postgres" ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("session_id", idType(dialect), (c) => c.notNull())
        .addColumn("node_id", "text", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("run_slot_ticket_key").on("run_slot_ticket").columns(["key", "id"]).execute();
      await db.schema.createIndex("run_slot_ticket_node").on("run_slot_ticket").column("node_id").execute();
    },
  };
}
