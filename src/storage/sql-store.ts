// The store on a SQL database through Kysely: SQLite (the embedded default) or PostgreSQL (shared
// by several server nodes), same queries, same schema (./migrations). Each record is one JSON
// column plus the columns it is found by.
import { sql } from "kysely";
import type { Message, Part, PermissionRuleset, Project, Session, Todo } from "../../generated/schemas.js";
import type { Database } from "./database.js";
import type { MessageWithParts, SessionQuery, Store } from "./store.js";
import { isUnfinished } from "./unfinished.js";

type Row = { data: string };

function parse<T>(row: Row | undefined): T | undefined {
  return row ? (JSON.parse(row.data) as T) : undefined;
}

function parseAll<T>(rows: Row[]): T[] {
  return rows.map((row) => JSON.parse(row.data) as T);
}

function groupByMessage(parts: Part[]): Map<string, Part[]> {
  const byMessage = new Map<string, Part[]>();
  for (const part of parts) {
    let list = byMessage.get(part.messageID);
    if (!list) byMessage.set(part.messageID, (list = []));
    list.push(part);
  }
  return byMessage;
}

export class SqlStore implements Store {
  /** Per session, the last operation asked for (see inSession). */
  private readonly lanes = new Map<string, Promise<unknown>>();

  /** Takes a share of an open database, or one being opened (its errors surface on first use). */
  constructor(private readonly database: Database | Promise<Database>) {}

  private async db() {
    return (await this.database).db;
  }

  /**
   * Runs a session's operations one after another, in the order they were asked for, as the
   * embedded store always did (one connection): a session's flows (a run storing its parts, a
   * permission asked meanwhile) publish their events in the order they made their changes, even
   * on a pool of connections that would otherwise answer in any order. Sessions go in parallel.
   */
  private inSession<T>(sessionID: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(sessionID);
    const result = previous ? previous.then(operation) : operation();
    const settled = result.catch(() => undefined);
    this.lanes.set(sessionID, settled);
    void settled.then(() => {
      if (this.lanes.get(sessionID) === settled) this.lanes.delete(sessionID);
    });
    return result;
  }

  async getProject(id: string) {
    const db = await this.db();
    return parse<Project>(await db.selectFrom("project").select("data").where("id", "=", id).executeTakeFirst());
  }

  async putProject(project: Project) {
    const db = await this.db();
    const data = JSON.stringify(project);
    await db
      .insertInto("project")
      .values({ id: project.id, data })
      .onConflict((c) => c.column("id").doUpdateSet({ data }))
      .execute();
  }

  async listProjects() {
    const db = await this.db();
    return parseAll<Project>(await db.selectFrom("project").select("data").orderBy("id").execute());
  }

  getSession(id: string) {
    return this.inSession(id, async () => {
      const db = await this.db();
      return parse<Session>(await db.selectFrom("session").select("data").where("id", "=", id).executeTakeFirst());
    });
  }

  putSession(session: Session) {
    return this.inSession(session.id, async () => {
      const db = await this.db();
      const columns = {
        project_id: session.projectID,
        parent_id: session.parentID ?? null,
        time_updated: session.time.updated,
        title: session.title,
        data: JSON.stringify(session),
      };
      await db
        .insertInto("session")
        .values({ id: session.id, ...columns })
        .onConflict((c) => c.column("id").doUpdateSet(columns))
        .execute();
    });
  }

  deleteSession(id: string) {
    return this.inSession(id, async () => {
      const db = await this.db();
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom("part").where("session_id", "=", id).execute();
        await trx.deleteFrom("message").where("session_id", "=", id).execute();
        await trx.deleteFrom("todo").where("session_id", "=", id).execute();
        await trx.deleteFrom("session").where("id", "=", id).execute();
      });
    });
  }

  async listSessions(query: SessionQuery) {
    const database = await this.database;
    let select = database.db.selectFrom("session").select("data").where("project_id", "=", query.projectID);
    if (query.roots) select = select.where("parent_id", "is", null);
    if (query.updatedSince !== undefined) select = select.where("time_updated", ">=", query.updatedSince);
    if (query.search) {
      // Substring, not LIKE: the search's own % and _ are plain characters.
      const position = database.dialect === "postgres" ? sql.raw("strpos") : sql.raw("instr");
      select = select.where(sql<boolean>`${position}(lower(title), lower(${query.search})) > 0`);
    }
    select = select.orderBy("time_updated", "desc").orderBy("id", "asc");
    if (query.limit !== undefined) select = select.limit(query.limit);
    return parseAll<Session>(await select.execute());
  }

  async listChildren(parentID: string) {
    const db = await this.db();
    return parseAll<Session>(
      await db
        .selectFrom("session")
        .select("data")
        .where("parent_id", "=", parentID)
        .orderBy("time_updated", "desc")
        .orderBy("id", "asc")
        .execute(),
    );
  }

  nextEventSeq(sessionID: string) {
    // Atomic in the database: one UPDATE ... RETURNING, so several nodes never share a number.
    return this.inSession(sessionID, async () => {
      const db = await this.db();
      const row = await db
        .updateTable("session")
        .set((eb) => ({ event_seq: eb("event_seq", "+", 1) }))
        .where("id", "=", sessionID)
        .returning(sql<number>`event_seq - 1`.as("seq"))
        .executeTakeFirst();
      return row ? Number(row.seq) : 0;
    });
  }

  private async partsOf(messageID: string): Promise<Part[]> {
    const db = await this.db();
    return parseAll<Part>(await db.selectFrom("part").select("data").where("message_id", "=", messageID).orderBy("id").execute());
  }

  getMessage(sessionID: string, messageID: string) {
    return this.inSession(sessionID, async () => {
      const db = await this.db();
      const info = parse<Message>(
        await db.selectFrom("message").select("data").where("id", "=", messageID).where("session_id", "=", sessionID).executeTakeFirst(),
      );
      return info ? { info, parts: await this.partsOf(messageID) } : undefined;
    });
  }

  putMessage(message: Message) {
    return this.inSession(message.sessionID, async () => {
      const db = await this.db();
      const columns = { data: JSON.stringify(message), unfinished: isUnfinished(message) ? 1 : 0 };
      await db
        .insertInto("message")
        .values({ id: message.id, session_id: message.sessionID, ...columns })
        .onConflict((c) => c.column("id").doUpdateSet(columns))
        .execute();
    });
  }

  deleteMessage(sessionID: string, messageID: string) {
    return this.inSession(sessionID, async () => {
      const db = await this.db();
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom("part").where("message_id", "=", messageID).where("session_id", "=", sessionID).execute();
        const result = await trx.deleteFrom("message").where("id", "=", messageID).where("session_id", "=", sessionID).executeTakeFirst();
        return result.numDeletedRows > 0n;
      });
    });
  }

  listMessages(sessionID: string, limit?: number): Promise<MessageWithParts[]> {
    return this.inSession(sessionID, async () => {
      const db = await this.db();
      const messages = db.selectFrom("message").select("data").where("session_id", "=", sessionID);
      const infos =
        limit === undefined
          ? parseAll<Message>(await messages.orderBy("id").execute())
          : parseAll<Message>(await messages.orderBy("id", "desc").limit(limit).execute()).reverse();
      const parts = groupByMessage(
        parseAll<Part>(await db.selectFrom("part").select("data").where("session_id", "=", sessionID).orderBy("id").execute()),
      );
      return infos.map((info) => ({ info, parts: parts.get(info.id) ?? [] }));
    });
  }

  async listUnfinishedAssistantMessages(): Promise<MessageWithParts[]> {
    const db = await this.db();
    const infos = parseAll<Message>(await db.selectFrom("message").select("data").where("unfinished", "=", 1).orderBy("id").execute());
    const result: MessageWithParts[] = [];
    for (const info of infos) result.push({ info, parts: await this.partsOf(info.id) });
    return result;
  }

  async getPart(messageID: string, partID: string) {
    const db = await this.db();
    return parse<Part>(
      await db.selectFrom("part").select("data").where("id", "=", partID).where("message_id", "=", messageID).executeTakeFirst(),
    );
  }

  putPart(part: Part) {
    return this.inSession(part.sessionID, async () => {
      const db = await this.db();
      const data = JSON.stringify(part);
      await db
        .insertInto("part")
        .values({ id: part.id, message_id: part.messageID, session_id: part.sessionID, data })
        .onConflict((c) => c.column("id").doUpdateSet({ data }))
        .execute();
    });
  }

  async deletePart(messageID: string, partID: string) {
    const db = await this.db();
    const result = await db.deleteFrom("part").where("id", "=", partID).where("message_id", "=", messageID).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  getTodos(sessionID: string) {
    return this.inSession(sessionID, async () => {
      const db = await this.db();
      return parse<Todo[]>(await db.selectFrom("todo").select("data").where("session_id", "=", sessionID).executeTakeFirst()) ?? [];
    });
  }

  putTodos(sessionID: string, todos: Todo[]) {
    return this.inSession(sessionID, async () => {
      const db = await this.db();
      const data = JSON.stringify(todos);
      await db
        .insertInto("todo")
        .values({ session_id: sessionID, data })
        .onConflict((c) => c.column("session_id").doUpdateSet({ data }))
        .execute();
    });
  }

  async getRememberedPermissions(projectID: string) {
    const db = await this.db();
    return (
      parse<PermissionRuleset>(
        await db.selectFrom("remembered_permission").select("data").where("project_id", "=", projectID).executeTakeFirst(),
      ) ?? []
    );
  }

  async putRememberedPermissions(projectID: string, rules: PermissionRuleset) {
    const db = await this.db();
    const data = JSON.stringify(rules);
    await db
      .insertInto("remembered_permission")
      .values({ project_id: projectID, data })
      .onConflict((c) => c.column("project_id").doUpdateSet({ data }))
      .execute();
  }

  async close() {
    await (await this.database).close();
  }
}
