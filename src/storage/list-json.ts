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
  return dialect === "postgres"
    ? sql<string>`(SELECT '[' || coalesce(string_agg(part.data, ',' ORDER BY part.id), '') || ']' FROM part WHERE part.message_id = message.id AND part.session_id = message.session_id)`
    : sql<string>`(SELECT '[' || coalesce(group_concat(part.data, ',' ORDER BY part.id), '') || ']' FROM part WHERE part.message_id = message.id AND +part.session_id = message.session_id)`;
}

/**
 * `[a,b,...]` of JSON texts. Joined here, not by the database: an ordered aggregate
 * (group_concat(... ORDER BY)) sorts the whole answer once more in a temporary b-tree, about as
 * long as the query itself, where the rows arrive in order already (the messages' join below
 * orders in a subquery instead).
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

/**
 * A session's messages with their parts ({info, parts}), oldest first (the newest `limit` with a
 * limit), as one JSON array in UTF-8 bytes. The database joins the whole array: on SQLite into
 * one blob, handed over as a Buffer that is sent as it is. Joining 200 rows into one string in
 * JavaScript, comparing it with the text checked before and encoding it for the socket took about
 * as long as the query (a 215 KB list); a Buffer is one copy out of SQLite, one memcmp and no
 * encoding. SQLite's group_concat takes the rows in the order its subquery delivers them (the
 * subquery of an aggregate is not flattened, so its ORDER BY holds), read along the primary key.
 */
export async function messagesJson({ db, dialect, executor }: Database, sessionID: string, limit: number | undefined): Promise<Buffer> {
  const item = sql<string>`'{"info":' || message.data || ',"parts":' || ${joinedParts(dialect)} || '}'`.as("item");
  const items = db.selectFrom("message").select(["message.id as id", item]).where("session_id", "=", sessionID);
  const rows =
    limit === undefined
      ? items.orderBy("id")
      : db
          .selectFrom(items.orderBy("id", "desc").limit(limit).as("newest"))
          .select(["newest.id as id", "newest.item as item"])
          .orderBy("id");
  const array =
    dialect === "postgres"
      ? sql<string | Buffer>`'[' || coalesce(string_agg(rows.item, ',' ORDER BY rows.id), '') || ']'`
      : sql<string | Buffer>`CAST('[' || coalesce(group_concat(rows.item, ','), '') || ']' AS BLOB)`;
  const row = await executor.first(db.selectFrom(rows.as("rows")).select(array.as("json")));
  const json = row?.json ?? "[]";
  return typeof json === "string" ? Buffer.from(json) : json;
}
