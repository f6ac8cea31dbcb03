// Sessions: create, list, read, update, delete, children. Every change is stored before its
// event is published.
import path from "node:path";
import type { OperationIO } from "../../generated/handlers.js";
import type { Session } from "../../generated/schemas.js";
import type { Projects } from "../project/projects.js";
import { NotFoundError } from "../domain-errors.js";
import type { SessionQuery, Store } from "../storage/store.js";
import { createId } from "../id.js";
import { UPSTREAM_VERSION } from "../version.js";
import { NO_WORKTREE } from "../git/worktree.js";
import type { SessionEvents } from "./session-events.js";
import { createSlug } from "./slug.js";

export type CreateSessionInput = OperationIO["session.create"]["body"];
export type UpdateSessionInput = OperationIO["session.update"]["body"];

export interface ListSessionsInput {
  roots?: boolean;
  start?: number;
  search?: string;
  limit?: number;
}

/** A page size SQLite cannot take (not a whole number, negative, or beyond 2^53): the caller's mistake. */
export class SessionListLimitError extends Error {
  constructor(readonly limit: number) {
    super(`limit must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got ${limit}`);
  }
}

export class SessionService {
  /** Per-session chain of read-modify-write updates, so concurrent changes never overwrite each other. */
  private readonly updating = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly projects: Projects,
    private readonly events: SessionEvents,
  ) {}

  async create(directory: string, input: CreateSessionInput = {}): Promise<Session> {
    const project = await this.projects.locate(directory);
    const now = Date.now();
    const title = input.title ?? `${input.parentID ? "Child session" : "New session"} - ${new Date(now).toISOString()}`;
    const session: Session = {
      id: createId("ses", "descending"),
      slug: createSlug(),
      projectID: project.id,
      directory,
      path: project.worktree === NO_WORKTREE ? "" : path.relative(project.worktree, directory),
      ...(input.parentID ? { parentID: input.parentID } : {}),
      ...(input.workspaceID ? { workspaceID: input.workspaceID } : {}),
      cost: 0,
      tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
      title,
      ...(input.agent ? { agent: input.agent } : {}),
      ...(input.model
        ? {
            model: {
              id: input.model.id,
              providerID: input.model.providerID,
              ...(input.model.variant ? { variant: input.model.variant } : {}),
            },
          }
        : {}),
      ...(input.metadata ? { metadata: input.metadata } : {}),
      version: UPSTREAM_VERSION,
      time: { created: now, updated: now },
      ...(input.permission ? { permission: input.permission } : {}),
    };
    await this.store.putSession(session);
    await this.events.publish(session, "session.created", { sessionID: session.id, info: session });
    return session;
  }

  async get(id: string): Promise<Session> {
    const session = await this.store.getSession(id);
    if (!session) throw new NotFoundError("Session", id);
    return session;
  }

  async list(directory: string, input: ListSessionsInput): Promise<Session[]> {
    return this.store.listSessions(await this.query(directory, input));
  }

  /** list(), as the JSON array the database joins from the stored JSON (answers sent as it is). */
  async listStored(directory: string, input: ListSessionsInput): Promise<string> {
    return this.store.listSessionsJson(await this.query(directory, input));
  }

  private async query(directory: string, input: ListSessionsInput): Promise<SessionQuery> {
    if (input.limit !== undefined && !(Number.isSafeInteger(input.limit) && input.limit >= 0)) throw new SessionListLimitError(input.limit);
    const project = await this.projects.locate(directory);
    return { projectID: project.id, roots: input.roots, updatedSince: input.start, search: input.search, limit: input.limit };
  }

  async children(id: string): Promise<Session[]> {
    await this.get(id);
    return this.store.listChildren(id);
  }

  /**
   * Applies a change to the latest stored version of a session, after any change already under
   * way, stores it and publishes session.updated (unless `quiet`: the next published update carries it).
   */
  mutate(id: string, change: (current: Session) => Session, options: { quiet?: boolean } = {}): Promise<Session> {
    const previous = this.updating.get(id) ?? Promise.resolve();
    const apply = async () => {
      const changed = change(await this.get(id));
      if (!options.quiet) return this.save(changed);
      await this.store.putSession(changed);
      return changed;
    };
    const next = previous.catch(() => undefined).then(apply);
    this.updating.set(id, next);
    void next
      .finally(() => {
        if (this.updating.get(id) === next) this.updating.delete(id);
      })
      .catch(() => undefined);
    return next;
  }

  update(id: string, input: UpdateSessionInput = {}): Promise<Session> {
    return this.mutate(id, (current) => ({
      ...current,
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
      ...(input.permission !== undefined ? { permission: input.permission } : {}),
      time: {
        ...current.time,
        updated: Date.now(),
        ...(input.time?.archived !== undefined ? { archived: input.time.archived } : {}),
      },
    }));
  }

  /** Stores a changed session and publishes session.updated. */
  async save(session: Session): Promise<Session> {
    await this.store.putSession(session);
    await this.events.publish(session, "session.updated", { sessionID: session.id, info: session });
    return session;
  }

  /** Deletes a session and, first, its children. */
  async remove(id: string): Promise<void> {
    const session = await this.get(id);
    for (const child of await this.store.listChildren(id)) await this.remove(child.id);
    const seq = await this.events.nextSeq(id);
    await this.store.deleteSession(id);
    await this.events.publish(session, "session.deleted", { sessionID: id, info: session }, seq);
  }
}
