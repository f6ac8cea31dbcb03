// Run leases: the node that runs a session holds its row while the run goes, renewing
// `expires_at` (ms); a row past it belongs to a node that died, and any node may take it over.
import type { Kysely } from "kysely";
import type { Dialect } from "../schema.js";
import { idType } from "./types.js";

export function runLease(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("run_lease")
        .addColumn("session_id", idType(dialect), (c) => c.primaryKey())
        .addColumn("node_id", "text", (c) => c.notNull())
        // ms since the epoch: past 32 bits.
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
    },
  };
}
