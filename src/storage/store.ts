// The storage interface the domain services use. SQLite (./sqlite-store.ts) is the embedded
// default; a shared database can implement the same interface when one server is not enough.
// Records are the spec's own types, stored whole; the store adds only what it needs to find them.
import type { Message, Part, PermissionRuleset, Project, Session, Todo } from "../../generated/schemas.js";

export interface SessionQuery {
  projectID: string;
  /** Only sessions without a parent. */
  roots?: boolean;
  /** Only sessions updated at or after this time (ms). */
  updatedSince?: number;
  /** Case-insensitive substring of the title. */
  search?: string;
  limit?: number;
}

export interface MessageWithParts {
  info: Message;
  parts: Part[];
}

export interface Store {
  getProject(id: string): Promise<Project | undefined>;
  putProject(project: Project): Promise<void>;
  listProjects(): Promise<Project[]>;

  getSession(id: string): Promise<Session | undefined>;
  /** Inserts or replaces a session. */
  putSession(session: Session): Promise<void>;
  /** Deletes a session with its messages, parts and todos. */
  deleteSession(id: string): Promise<void>;
  /** Newest `time.updated` first. */
  listSessions(query: SessionQuery): Promise<Session[]>;
  /** listSessions as one JSON array, joined by the database from the stored JSON (for answers sent as it is). */
  listSessionsJson(query: SessionQuery): Promise<string>;
  listChildren(parentID: string): Promise<Session[]>;
  /** The next number of the session's durable event sequence (0, 1, 2, ...). */
  /** With `count`, takes that many numbers in a row and answers the first. */
  nextEventSeq(sessionID: string, count?: number): Promise<number>;

  getMessage(sessionID: string, messageID: string): Promise<MessageWithParts | undefined>;
  putMessage(message: Message): Promise<void>;
  /** Deletes a message with its parts. */
  deleteMessage(sessionID: string, messageID: string): Promise<boolean>;
  /** Oldest first; with `limit`, the newest `limit` messages (still oldest first). */
  listMessages(sessionID: string, limit?: number): Promise<MessageWithParts[]>;
  /** listMessages as one JSON array in UTF-8, joined by the database from the stored JSON (for answers sent as it is). */
  listMessagesJson(sessionID: string, limit?: number): Promise<Buffer>;

  /**
   * Assistant messages never completed: runs that were going when the server stopped. With
   * `unleasedAt` (ms), only those of sessions without a run lease live at that time: runs no node runs.
   */
  listUnfinishedAssistantMessages(options?: { unleasedAt?: number; sessionID?: string }): Promise<MessageWithParts[]>;

  getPart(messageID: string, partID: string): Promise<Part | undefined>;
  putPart(part: Part): Promise<void>;
  deletePart(messageID: string, partID: string): Promise<boolean>;

  getTodos(sessionID: string): Promise<Todo[]>;
  putTodos(sessionID: string, todos: Todo[]): Promise<void>;

  /** Permission rules remembered for a project ("always" replies). */
  getRememberedPermissions(projectID: string): Promise<PermissionRuleset>;
  putRememberedPermissions(projectID: string, rules: PermissionRuleset): Promise<void>;

  close(): Promise<void>;
}
