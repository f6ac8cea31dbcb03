// The nodes of a pool and the requests their runs wait on. A node keeps its row alive while it
// runs (`expires_at`, ms, renewed with its leases); a row past it is a node that died. Pending
// permission and question requests are kept here so that any node lists them and passes a reply
// on to the node whose run waits for it.
import type { Kysely } from "kysely";
import type { Dialect } from "../schema.js";
import { idType } from "./types.js";

export function nodesAndPendingRequests(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("node")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("pending_request")
        .addColumn("id", idType(dialect), (c) => c.primaryKey())
        // "permission" or "question".
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("session_id", idType(dialect), (c) => c.notNull())
        .addColumn("node_id", "text", (c) => c.notNull())
        .addColumn("data", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("pending_request_node").on("pending_request").column("node_id").execute();
    },
  };
}
