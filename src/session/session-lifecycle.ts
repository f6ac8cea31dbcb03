// Stopping and deleting a session, in one place: its run is aborted and the permissions and
// questions it waits on are dropped, for the session and every session under it (sub-agents),
// whichever route asked (session.abort, session.delete, v2.session.interrupt, workspace removal,
// a parent's abort reaching its task).
import type { Store } from "../storage/store.js";
import type { RunRegistry } from "./run-registry.js";
import type { SessionService } from "./session-service.js";

/** What can hold a session's pending requests. */
interface PendingRequests {
  dropSession(sessionID: string): void;
}

export interface SessionLifecycleDeps {
  store: Pick<Store, "listChildren">;
  sessions: Pick<SessionService, "get" | "remove">;
  runs: Pick<RunRegistry, "abort">;
  permissions: PendingRequests;
  questions: PendingRequests;
}

export class SessionLifecycle {
  constructor(private readonly deps: SessionLifecycleDeps) {}

  /**
   * Stops the session's run and its descendants' runs; nothing of them stays pending. A session
   * that does not exist has nothing to stop (upstream answers its abort with true as well).
   */
  async stop(sessionID: string): Promise<void> {
    const { permissions, questions, runs, store } = this.deps;
    permissions.dropSession(sessionID);
    questions.dropSession(sessionID);
    await runs.abort(sessionID);
    for (const child of await store.listChildren(sessionID)) await this.stop(child.id);
  }

  /** Stops everything under the session, then deletes it with its descendants. Throws NotFoundError for an unknown session. */
  async delete(sessionID: string): Promise<void> {
    await this.deps.sessions.get(sessionID);
    await this.stop(sessionID);
    await this.deps.sessions.remove(sessionID);
  }
}
