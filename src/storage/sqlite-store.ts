// The SQLite store (better-sqlite3). Write-ahead logging, so a killed process loses no
// committed write; each record is one JSON column plus the columns it is found by.
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Message, Part, PermissionRuleset, Project, Session, Todo } from "../../generated/schemas.js";
import type { MessageWithParts, SessionQuery, Store } from "./store.js";

const MIGRATIONS: string[] = [
  `CREATE TABLE project (id TEXT PRIMARY KEY, data TEXT NOT NULL);
   CREATE TABLE session (
     id TEXT PRIMARY KEY, project_id TEXT NOT NULL, parent_id TEXT,
     time_updated INTEGER NOT NULL, title TEXT NOT NULL, event_seq INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL);
   CREATE INDEX session_by_project ON session (project_id, time_updated DESC);
   CREATE INDEX session_by_parent ON session (parent_id);
   CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, data TEXT NOT NULL);
   CREATE INDEX message_by_session ON message (session_id, id);
   CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT NOT NULL, session_id TEXT NOT NULL, data TEXT NOT NULL);
   CREATE INDEX part_by_message ON part (message_id, id);
   CREATE INDEX part_by_session ON part (session_id);
   CREATE TABLE todo (session_id TEXT PRIMARY KEY, data TEXT NOT NULL);
   CREATE TABLE remembered_permission (project_id TEXT PRIMARY KEY, data TEXT NOT NULL);`,
];

type Row = { data: string };

function parse<T>(row: Row | undefined): T | undefined {
  return row ? (JSON.parse(row.data) as T) : undefined;
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;

  constructor(file: string) {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // NORMAL with WAL: a killed process loses nothing committed; only a power cut can lose the last commits.
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.migrate();
  }

  private migrate(): void {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    for (let i = version; i < MIGRATIONS.length; i++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[i]!);
        this.db.pragma(`user_version = ${i + 1}`);
      })();
    }
  }

  private all<T>(sql: string, ...params: unknown[]): T[] {
    return (this.db.prepare(sql).all(...params) as Row[]).map((row) => JSON.parse(row.data) as T);
  }

  private one<T>(sql: string, ...params: unknown[]): T | undefined {
    return parse<T>(this.db.prepare(sql).get(...params) as Row | undefined);
  }

  async getProject(id: string) {
    return this.one<Project>("SELECT data FROM project WHERE id = ?", id);
  }

  async putProject(project: Project) {
    this.db.prepare("INSERT OR REPLACE INTO project (id, data) VALUES (?, ?)").run(project.id, JSON.stringify(project));
  }

  async listProjects() {
    return this.all<Project>("SELECT data FROM project ORDER BY id");
  }

  async getSession(id: string) {
    return this.one<Session>("SELECT data FROM session WHERE id = ?", id);
  }

  async putSession(session: Session) {
    this.db
      .prepare(
        `INSERT INTO session (id, project_id, parent_id, time_updated, title, data) VALUES (@id, @project, @parent, @updated, @title, @data)
         ON CONFLICT (id) DO UPDATE SET project_id = @project, parent_id = @parent, time_updated = @updated, title = @title, data = @data`,
      )
      .run({
        id: session.id,
        project: session.projectID,
        parent: session.parentID ?? null,
        updated: session.time.updated,
        title: session.title,
        data: JSON.stringify(session),
      });
  }

  async deleteSession(id: string) {
    this.db.transaction(() => {
      for (const table of ["part", "message"]) this.db.prepare(`DELETE FROM ${table} WHERE session_id = ?`).run(id);
      this.db.prepare("DELETE FROM todo WHERE session_id = ?").run(id);
      this.db.prepare("DELETE FROM session WHERE id = ?").run(id);
    })();
  }

  async listSessions(query: SessionQuery) {
    const where = ["project_id = @projectID"];
    if (query.roots) where.push("parent_id IS NULL");
    if (query.updatedSince !== undefined) where.push("time_updated >= @updatedSince");
    if (query.search) where.push("instr(lower(title), lower(@search)) > 0");
    const limit = query.limit !== undefined ? "LIMIT @limit" : "";
    return this.all<Session>(`SELECT data FROM session WHERE ${where.join(" AND ")} ORDER BY time_updated DESC, id ASC ${limit}`, {
      projectID: query.projectID,
      updatedSince: query.updatedSince,
      search: query.search,
      limit: query.limit,
    });
  }

  async listChildren(parentID: string) {
    return this.all<Session>("SELECT data FROM session WHERE parent_id = ? ORDER BY time_updated DESC, id ASC", parentID);
  }

  async nextEventSeq(sessionID: string) {
    const row = this.db
      .prepare("UPDATE session SET event_seq = event_seq + 1 WHERE id = ? RETURNING event_seq - 1 AS seq")
      .get(sessionID) as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  private partsOf(messageID: string): Part[] {
    return this.all<Part>("SELECT data FROM part WHERE message_id = ? ORDER BY id", messageID);
  }

  async getMessage(sessionID: string, messageID: string) {
    const info = this.one<Message>("SELECT data FROM message WHERE id = ? AND session_id = ?", messageID, sessionID);
    return info ? { info, parts: this.partsOf(messageID) } : undefined;
  }

  async putMessage(message: Message) {
    this.db
      .prepare("INSERT INTO message (id, session_id, data) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data")
      .run(message.id, message.sessionID, JSON.stringify(message));
  }

  async deleteMessage(sessionID: string, messageID: string) {
    return this.db.transaction(() => {
      this.db.prepare("DELETE FROM part WHERE message_id = ? AND session_id = ?").run(messageID, sessionID);
      return this.db.prepare("DELETE FROM message WHERE id = ? AND session_id = ?").run(messageID, sessionID).changes > 0;
    })();
  }

  async listMessages(sessionID: string, limit?: number): Promise<MessageWithParts[]> {
    const infos =
      limit === undefined
        ? this.all<Message>("SELECT data FROM message WHERE session_id = ? ORDER BY id", sessionID)
        : this.all<Message>("SELECT data FROM message WHERE session_id = ? ORDER BY id DESC LIMIT ?", sessionID, limit).reverse();
    const parts = new Map<string, Part[]>();
    for (const part of this.all<Part>("SELECT data FROM part WHERE session_id = ? ORDER BY id", sessionID)) {
      let list = parts.get(part.messageID);
      if (!list) parts.set(part.messageID, (list = []));
      list.push(part);
    }
    return infos.map((info) => ({ info, parts: parts.get(info.id) ?? [] }));
  }

  async listUnfinishedAssistantMessages(): Promise<MessageWithParts[]> {
    const infos = this.all<Message>(
      "SELECT data FROM message WHERE json_extract(data, '$.role') = 'assistant' AND json_extract(data, '$.time.completed') IS NULL ORDER BY id",
    );
    return infos.map((info) => ({ info, parts: this.partsOf(info.id) }));
  }

  async getPart(messageID: string, partID: string) {
    return this.one<Part>("SELECT data FROM part WHERE id = ? AND message_id = ?", partID, messageID);
  }

  async putPart(part: Part) {
    this.db
      .prepare(
        "INSERT INTO part (id, message_id, session_id, data) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
      )
      .run(part.id, part.messageID, part.sessionID, JSON.stringify(part));
  }

  async deletePart(messageID: string, partID: string) {
    return this.db.prepare("DELETE FROM part WHERE id = ? AND message_id = ?").run(partID, messageID).changes > 0;
  }

  async getTodos(sessionID: string) {
    return this.one<Todo[]>("SELECT data FROM todo WHERE session_id = ?", sessionID) ?? [];
  }

  async putTodos(sessionID: string, todos: Todo[]) {
    this.db.prepare("INSERT OR REPLACE INTO todo (session_id, data) VALUES (?, ?)").run(sessionID, JSON.stringify(todos));
  }

  async getRememberedPermissions(projectID: string) {
    return this.one<PermissionRuleset>("SELECT data FROM remembered_permission WHERE project_id = ?", projectID) ?? [];
  }

  async putRememberedPermissions(projectID: string, rules: PermissionRuleset) {
    this.db.prepare("INSERT OR REPLACE INTO remembered_permission (project_id, data) VALUES (?, ?)").run(projectID, JSON.stringify(rules));
  }

  async close() {
    this.db.close();
  }
}
