// Column types that differ between the two databases.
import { sql, type Expression } from "kysely";
import type { Dialect } from "../schema.js";

/**
 * Identifiers are ordered byte by byte, as SQLite does: ids sort by time (upstream's ascending
 * ids, mixed case), which a PostgreSQL database's own collation (en_US...) would not keep.
 */
export function idType(dialect: Dialect): "text" | Expression<unknown> {
  return dialect === "postgres" ? sql`text collate "C"` : "text";
}
