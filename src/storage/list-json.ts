// The session and message lists as JSON text made from the stored JSON, without parsing it
// (answers sent as they are, src/contract/pre-serialized.ts; the parsed lists are read from it too).
import { sql } from "kysely";
import type { Database } from "./database.js";
import type { SessionQuery } from "./store.js";

/**
 * A message's parts as one JSON array, joined by the database from their stored JSON in id order.
 * On SQLite the unary + keeps the planner on part_by_message (message_id, id): offered the
 * session's condition as an index term it reads the whole session's parts once per message.
 */
function joinedParts(dialect: Database["dialect"]) {
  return (
    dialect === "postgres"
      ? sql<string>`(SELECT '[' || coalesce(string_agg(part.data, ',' ORDER BY part.id), '') || ']' FROM part WHERE part.message_id = message.id AND part.session_id = message.session_id)`
      : sql<string>`(SELECT '[' || coalesce(group_concat(part.data, ',' ORDER BY part.id), '') || ']' FROM part WHERE part.message_id = message.id AND +part.session_id = message.session_id)`
  );
}

/**
 * `[a,b,...]` of JSON texts. Joined here, not by the database: an ordered aggregate
 * (group_concat(... ORDER BY)) sorts the whole answer once more in a temporary b-tree, about as
 * long as the query itself, where the rows arrive in order already.
 */
function jsonArray(texts: string[]): string {
  return `[${texts.join(",")}]`;
}

/** The sessions a query selects, newest update first, as one JSON array. */
export async function sessionsJson({ db, dialect, executor }: Database, query: SessionQuery): Promise<string> {
  let select = db.selectFrom("session").select("data").where("project_id", "=", query.projectID);
  if (query.roots) select = select.where("parent_id", "is", null);
  if (query.updatedSince !== undefined) select = select.where("time_updated", ">=", query.updatedSince);
  if (query.search) {
    // Substring, not LIKE: the search's own % and _ are plain characters.
    const position = dialect === "postgres" ? sql.raw("strpos") : sql.raw("instr");
    select = select.where(sql<boolean>`${position}(lower(title), lower(${query.search})) > 0`);
  }
  select = select.orderBy("time_updated", "desc").orderBy("id", "asc");
  if (query.limit !== undefined) select = select.limit(query.limit);
  return jsonArray((await executor.all(select)).map((row) => row.data));
}

/** A session's messages with their parts ({info, parts}), oldest first (the newest `limit` with a limit), as one JSON array. */
export async function messagesJson({ db, dialect, executor }: Database, sessionID: string, limit: number | undefined): Promise<string> {
  const item = sql<string>`'{"info":' || message.data || ',"parts":' || ${joinedParts(dialect)} || '}'`.as("item");
  const items = db.selectFrom("message").select(item).where("session_id", "=", sessionID);
  const rows =
    limit === undefined ? await executor.all(items.orderBy("id")) : (await executor.all(items.orderBy("id", "desc").limit(limit))).reverse();
  return jsonArray(rows.map((row) => row.item));
}
