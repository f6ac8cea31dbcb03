// Soft revert, as upstream: the files a session's later turns changed go back to how they were
// before those turns (from the step snapshots), the session remembers the revert, and the
// reverted messages stay until the next prompt removes them. Unrevert puts the files back.
import path from "node:path";
import type { Session } from "../../generated/schemas.js";
import type { Snapshots } from "../snapshot/snapshots.js";
import type { MessageWithParts } from "../storage/store.js";
import { NO_WORKTREE } from "../workspace/worktree.js";
import { SessionBusyError } from "../domain-errors.js";
import type { SessionDeps } from "./session-deps.js";

export class RevertService {
  constructor(
    private readonly deps: SessionDeps & {
      snapshots: Snapshots;
    },
  ) {}

  /** For each file the given messages changed, the snapshot from before the first change. */
  private changedFiles(messages: MessageWithParts[], worktree: string): Map<string, string> {
    const before = new Map<string, string>();
    for (const { parts } of messages) {
      for (const part of parts) {
        if (part.type !== "patch") continue;
        for (const file of part.files) {
          const relative = path.relative(worktree, file);
          if (!before.has(relative)) before.set(relative, part.hash);
        }
      }
    }
    return before;
  }

  async revert(sessionID: string, messageID: string, partID?: string): Promise<Session> {
    const { store, sessions, events, runs, projects, snapshots } = this.deps;
    if (runs.isBusy(sessionID)) throw new SessionBusyError(sessionID);
    let session = await sessions.get(sessionID);
    const messages = await store.listMessages(sessionID);
    const from = messages.findIndex((m) => m.info.id === messageID);
    // Upstream answers an unknown message with the session, unchanged.
    if (from < 0) return session;
    if (session.revert) session = await this.unrevert(sessionID);
    const project = await projects.locate(session.directory);
    if (project.worktree === NO_WORKTREE)
      return sessions.mutate(sessionID, (current) => ({ ...current, revert: { messageID, ...(partID ? { partID } : {}) } }));
    const snapshot = await snapshots.track(project.id, project.worktree);
    const files = this.changedFiles(messages.slice(from), project.worktree);
    for (const [file, tree] of files) await snapshots.restore(project.id, project.worktree, tree, [file]);
    const after = await snapshots.track(project.id, project.worktree);
    const diff = await snapshots.rawDiff(project.id, project.worktree, snapshot, after);
    await events.publish(session, "session.diff", { sessionID, diff: await snapshots.diff(project.id, project.worktree, snapshot, after) });
    return sessions.mutate(sessionID, (current) => ({ ...current, revert: { messageID, ...(partID ? { partID } : {}), snapshot, diff } }));
  }

  async unrevert(sessionID: string): Promise<Session> {
    const { sessions, runs, projects, snapshots } = this.deps;
    if (runs.isBusy(sessionID)) throw new SessionBusyError(sessionID);
    const session = await sessions.get(sessionID);
    if (!session.revert) return session;
    const snapshot = session.revert.snapshot;
    const project = await projects.locate(session.directory);
    if (snapshot && project.worktree !== NO_WORKTREE) {
      const now = await snapshots.track(project.id, project.worktree);
      const files = await snapshots.changedFiles(project.id, project.worktree, now, snapshot);
      await snapshots.restore(project.id, project.worktree, snapshot, files);
    }
    return sessions.mutate(sessionID, ({ revert: _dropped, ...rest }) => rest);
  }

  /** Before a new prompt: the reverted messages are removed for good and the revert is forgotten. */
  async commit(sessionID: string): Promise<void> {
    const { store, sessions, events } = this.deps;
    const session = await sessions.get(sessionID);
    if (!session.revert) return;
    const messages = await store.listMessages(sessionID);
    const from = messages.findIndex((m) => m.info.id === session.revert!.messageID);
    for (const { info } of from < 0 ? [] : messages.slice(from)) {
      await store.deleteMessage(sessionID, info.id);
      await events.publish(session, "message.removed", { sessionID, messageID: info.id });
    }
    await sessions.mutate(sessionID, ({ revert: _dropped, ...rest }) => rest);
  }
}
