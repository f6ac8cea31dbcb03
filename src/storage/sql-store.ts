// The store on a SQL database: SQLite (the embedded default) or PostgreSQL (shared by several
// server nodes), the same queries built with Kysely, the same schema (./migrations). Each record
// is one JSON column plus the columns it is found by.
import { sql } from "kysely";
import type { Message, Part, PermissionRuleset, Project, Session, Todo } from "../../generated/schemas.js";
import { Database } from "./database.js";
import type { MessageWithParts, SessionQuery, Store } from "./store.js";
import { isUnfinished } from "./unfinished.js";
import { messagesJson, sessionsJson } from "./list-json.js";

type Row = { data: string };

function parse<T>(row: Row | undefined): T | undefined {
  return row ? (JSON.parse(row.data) as T) : undefined;
}

function parseAll<T>(rows: Row[]): T[] {
  return rows.map((row) => JSON.parse(row.data) as T);
}

export class SqlStore implements Store {
  private opened: Database | undefined;
  private readonly opening: Promise<Database> | undefined;
  /** Per session, the last operation asked for (see inSession). */
  private readonly lanes = new Map<string, Promise<unknown>>();

  /** Takes a share of an open database, or of one being opened (its errors then surface on first use). */
  constructor(database: Database | Promise<Database>) {
    if (database instanceof Database) this.opened = database;
    else this.opening = database.then((open) => (this.opened = open));
  }

  /**
   * Runs an operation on the database; at once when it is open, so that on SQLite a write is
   * done by the time the caller has its promise (./executor.ts).
   */
  private use<T>(operation: (database: Database) => Promise<T>): Promise<T> {
    return this.opened ? operation(this.opened) : this.opening!.then(operation);
  }

  /**
   * On PostgreSQL, runs a session's operations one after another, in the order they were asked
   * for, as SQLite's one connection does: a pool would answer them in any order, and the session's
   * events (published after each change) would follow that order. Sessions go in parallel.
   */
  private inSession<T>(sessionID: string, operation: (database: Database) => Promise<T>): Promise<T> {
    if (this.opened?.dialect !== "postgres") return this.use(operation);
    const previous = this.lanes.get(sessionID);
    const result = previous ? previous.then(() => this.use(operation)) : this.use(operation);
    const settled = result.catch(() => undefined);
    this.lanes.set(sessionID, settled);
    void settled.then(() => {
      if (this.lanes.get(sessionID) === settled) this.lanes.delete(sessionID);
    });
    return result;
  }

  getProject(id: string) {
    return this.use(async ({ db, executor }) =>
      parse<Project>(await executor.first(db.selectFrom("project").select("data").where("id", "=", id))),
    );
  }

  putProject(project: Project) {
    return this.use(async ({ db, executor }) => {
      const data = JSON.stringify(project);
      await executor.run(
        db
          .insertInto("project")
          .values({ id: project.id, data })
          .onConflict((c) => c.column("id").doUpdateSet({ data })),
      );
    });
  }

  listProjects() {
    return this.use(async ({ db, executor }) =>
      parseAll<Project>(await executor.all(db.selectFrom("project").select("data").orderBy("id"))),
    );
  }

  getSession(id: string) {
    return this.inSession(id, async ({ db, executor }) =>
      parse<Session>(await executor.first(db.selectFrom("session").select("data").where("id", "=", id))),
    );
  }

  putSession(session: Session) {
    return this.inSession(session.id, async ({ db, executor }) => {
      const columns = {
        project_id: session.projectID,
        parent_id: session.parentID ?? null,
        time_updated: session.time.updated,
        title: session.title,
        data: JSON.stringify(session),
      };
      await executor.run(
        db
          .insertInto("session")
          .values({ id: session.id, ...columns })
          .onConflict((c) => c.column("id").doUpdateSet(columns)),
      );
    });
  }

  deleteSession(id: string) {
    return this.inSession(id, async ({ db, executor }) => {
      await executor.transaction([
        db.deleteFrom("part").where("session_id", "=", id),
        db.deleteFrom("message").where("session_id", "=", id),
        db.deleteFrom("todo").where("session_id", "=", id),
        db.deleteFrom("session").where("id", "=", id),
      ]);
    });
  }

  listSessions(query: SessionQuery) {
    return this.listSessionsJson(query).then((json) => JSON.parse(json) as Session[]);
  }

  listSessionsJson(query: SessionQuery) {
    return this.use((database) => sessionsJson(database, query));
  }

  listChildren(parentID: string) {
    return this.use(async ({ db, executor }) =>
      parseAll<Session>(
        await executor.all(
          db.selectFrom("session").select("data").where("parent_id", "=", parentID).orderBy("time_updated", "desc").orderBy("id", "asc"),
        ),
      ),
    );
  }

  nextEventSeq(sessionID: string, count = 1) {
    // Atomic in the database: one UPDATE ... RETURNING, so several nodes never share a number.
    return this.inSession(sessionID, async ({ db, executor }) => {
      const row = await executor.first(
        db
          .updateTable("session")
          .set((eb) => ({ event_seq: eb("event_seq", "+", count) }))
          .where("id", "=", sessionID)
          .returning(sql<number>`event_seq - ${count}`.as("seq")),
      );
      return row ? Number(row.seq) : 0;
    });
  }

  private async partsOf({ db, executor }: Database, messageID: string): Promise<Part[]> {
    return parseAll<Part>(await executor.all(db.selectFrom("part").select("data").where("message_id", "=", messageID).orderBy("id")));
  }

  getMessage(sessionID: string, messageID: string) {
    return this.inSession(sessionID, async (database) => {
      const { db, executor } = database;
      const info = parse<Message>(
        await executor.first(db.selectFrom("message").select("data").where("id", "=", messageID).where("session_id", "=", sessionID)),
      );
      return info ? { info, parts: await this.partsOf(database, messageID) } : undefined;
    });
  }

  putMessage(message: Message) {
    return this.inSession(message.sessionID, async ({ db, executor }) => {
      const columns = { data: JSON.stringify(message), unfinished: isUnfinished(message) ? 1 : 0 };
      await executor.run(
        db
          .insertInto("message")
          .values({ id: message.id, session_id: message.sessionID, ...columns })
          .onConflict((c) => c.column("id").doUpdateSet(columns)),
      );
    });
  }

  deleteMessage(sessionID: string, messageID: string) {
    return this.inSession(sessionID, async ({ db, executor }) => {
      const [, deleted] = await executor.transaction([
        db.deleteFrom("part").where("message_id", "=", messageID).where("session_id", "=", sessionID),
        db.deleteFrom("message").where("id", "=", messageID).where("session_id", "=", sessionID),
      ]);
      return deleted! > 0;
    });
  }

  listMessages(sessionID: string, limit?: number): Promise<MessageWithParts[]> {
    return this.listMessagesJson(sessionID, limit).then((json) => JSON.parse(json.toString()) as MessageWithParts[]);
  }

  listMessagesJson(sessionID: string, limit?: number): Promise<Buffer> {
    return this.inSession(sessionID, (database) => messagesJson(database, sessionID, limit));
  }

  listUnfinishedAssistantMessages(options: { unleasedAt?: number; sessionID?: string } = {}): Promise<MessageWithParts[]> {
    return this.use(async (database) => {
      const { db, executor } = database;
      let select = db.selectFrom("message").select("data").where("unfinished", "=", 1);
      if (options.sessionID !== undefined) select = select.where("session_id", "=", options.sessionID);
      const at = options.unleasedAt;
      if (at !== undefined)
        select = select.where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("run_lease")
                .select("run_lease.session_id")
                .whereRef("run_lease.session_id", "=", "message.session_id")
                .where("run_lease.expires_at", ">", at),
            ),
          ),
        );
      const infos = parseAll<Message>(await executor.all(select.orderBy("id")));
      const result: MessageWithParts[] = [];
      for (const info of infos) result.push({ info, parts: await this.partsOf(database, info.id) });
      return result;
    });
  }

  getPart(messageID: string, partID: string) {
    return this.use(async ({ db, executor }) =>
      parse<Part>(await executor.first(db.selectFrom("part").select("data").where("id", "=", partID).where("message_id", "=", messageID))),
    );
  }

  putPart(part: Part) {
    return this.inSession(part.sessionID, async ({ db, executor }) => {
      const data = JSON.stringify(part);
      await executor.run(
        db
          .insertInto("part")
          .values({ id: part.id, message_id: part.messageID, session_id: part.sessionID, data })
          .onConflict((c) => c.column("id").doUpdateSet({ data })),
      );
    });
  }

  deletePart(messageID: string, partID: string) {
    return this.use(
      async ({ db, executor }) =>
        (await executor.run(db.deleteFrom("part").where("id", "=", partID).where("message_id", "=", messageID))) > 0,
    );
  }

  getTodos(sessionID: string) {
    return this.inSession(
      sessionID,
      async ({ db, executor }) =>
        parse<Todo[]>(await executor.first(db.selectFrom("todo").select("data").where("session_id", "=", sessionID))) ?? [],
    );
  }

  putTodos(sessionID: string, todos: Todo[]) {
    return this.inSession(sessionID, async ({ db, executor }) => {
      const data = JSON.stringify(todos);
      await executor.run(
        db
          .insertInto("todo")
          .values({ session_id: sessionID, data })
          .onConflict((c) => c.column("session_id").doUpdateSet({ data })),
      );
    });
  }

  getRememberedPermissions(projectID: string) {
    return this.use(
      async ({ db, executor }) =>
        parse<PermissionRuleset>(
          await executor.first(db.selectFrom("remembered_permission").select("data").where("project_id", "=", projectID)),
        ) ?? [],
    );
  }

  putRememberedPermissions(projectID: string, rules: PermissionRuleset) {
    return this.use(async ({ db, executor }) => {
      const data = JSON.stringify(rules);
      await executor.run(
        db
          .insertInto("remembered_permission")
          .values({ project_id: projectID, data })
          .onConflict((c) => c.column("project_id").doUpdateSet({ data })),
      );
    });
  }

  close() {
    return this.use((database) => database.close());
  }
}
