// The event outbox: every event a node of a pool on PostgreSQL publishes, as one row keyed by
// (node_id, seq), so the other nodes read it when a NOTIFY names the seq (src/cluster/). A row
// carries the JSON that a NOTIFY could not (8,000 bytes at most); rows are pruned after minutes.
// Created on SQLite too, so both dialects keep one schema; a single SQLite node never writes it.
import type { Kysely } from "kysely";
import type { Dialect } from "../schema.js";

export function eventOutbox(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("event_outbox")
        .addColumn("node_id", "text", (c) => c.notNull())
        // One node's own counter, written by that node's one writer: its rows commit in this order.
        .addColumn("seq", "bigint", (c) => c.notNull())
        // ms since the epoch, by the writer's clock; pruning only needs minutes of precision.
        .addColumn("created_at", "bigint", (c) => c.notNull())
        // The frame as /global/event carries it ({directory, project?, workspace?, payload}).
        .addColumn("frame", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("event_outbox_pk", ["node_id", "seq"])
        .execute();
      await db.schema.createIndex("event_outbox_created_at").on("event_outbox").column("created_at").execute();
    },
  };
}
