// Soft revert, as upstream: the files a session's later turns changed go back to how they were
// before those turns (from the step snapshots), the session remembers the revert, and the
// reverted messages stay until the next prompt removes them. Unrevert puts the files back.
// The revert reports what the reverted turns had changed (session.diff and the session's summary),
// which stays until the next turn's summary resets it.
import path from "node:path";
import type { Part, Session, SnapshotFileDiff } from "../../generated/schemas.js";
import { stepSpan, summaryOf } from "../snapshot/session-diffs.js";
import type { Snapshots } from "../snapshot/snapshots.js";
import type { MessageWithParts } from "../storage/store.js";
import { NO_WORKTREE } from "../git/worktree.js";
import { SessionBusyError } from "../domain-errors.js";
import type { SessionDeps } from "./session-deps.js";

type PatchPart = Extract<Part, { type: "patch" }>;

/**
 * Where a revert starts, as upstream finds it: reverting a message (or a part before any text or
 * tool output of its message) reverts from the user message that asked for it; reverting a later
 * part keeps the message up to that part. The patches of every part after the point are undone.
 */
function revertPoint(messages: MessageWithParts[], messageID: string, partID?: string) {
  let lastUser: string | undefined;
  let point: { messageID: string; partID?: string } | undefined;
  const patches: PatchPart[] = [];
  for (const message of messages) {
    if (message.info.role === "user") lastUser = message.info.id;
    const before: Part[] = [];
    for (const part of message.parts) {
      if (point) {
        if (part.type === "patch") patches.push(part);
        continue;
      }
      if ((message.info.id === messageID && !partID) || part.id === partID) {
        const keep = before.some((p) => p.type === "text" || p.type === "tool") ? partID : undefined;
        point = { messageID: !keep && lastUser ? lastUser : message.info.id, ...(keep ? { partID: keep } : {}) };
      }
      before.push(part);
    }
  }
  return point && { point, patches };
}

export class RevertService {
  constructor(
    private readonly deps: SessionDeps & {
      snapshots: Snapshots;
    },
  ) {}

  /** For each file the patches changed, the snapshot from before the first change. */
  private changedFiles(patches: PatchPart[], worktree: string): Map<string, string> {
    const before = new Map<string, string>();
    for (const part of patches) {
      for (const file of part.files) {
        const relative = path.relative(worktree, file);
        if (!before.has(relative)) before.set(relative, part.hash);
      }
    }
    return before;
  }

  async revert(sessionID: string, messageID: string, partID?: string): Promise<Session> {
    const { store, sessions, events, runs, projects, snapshots } = this.deps;
    if (runs.isBusy(sessionID)) throw new SessionBusyError(sessionID);
    let session = await sessions.get(sessionID);
    const messages = await store.listMessages(sessionID);
    const found = revertPoint(messages, messageID, partID);
    // Upstream answers an unknown message with the session, unchanged.
    if (!found) return session;
    const { point, patches } = found;
    if (session.revert) session = await this.unrevert(sessionID, { quiet: true });
    const project = await projects.locate(session.directory);
    let revert: NonNullable<Session["revert"]> = { ...point };
    let changes: SnapshotFileDiff[] = [];
    if (project.worktree !== NO_WORKTREE) {
      const snapshot = await snapshots.track(project.id, project.worktree);
      const files = this.changedFiles(patches, project.worktree);
      for (const [file, tree] of files) await snapshots.restore(project.id, project.worktree, tree, [file]);
      const after = await snapshots.track(project.id, project.worktree);
      revert = { ...point, snapshot, diff: await snapshots.rawDiff(project.id, project.worktree, snapshot, after) };
      // What the reverted messages had changed, from their first step to their last.
      const { from, to } = stepSpan(messages.slice(messages.findIndex((m) => m.info.id === point.messageID)));
      if (from && to) changes = await snapshots.diff(project.id, project.worktree, from, to);
    }
    await events.publish(session, "session.diff", { sessionID, diff: changes });
    return sessions.mutate(sessionID, (current) => ({
      ...current,
      revert,
      summary: summaryOf(changes),
      time: { ...current.time, updated: Date.now() },
    }));
  }

  async unrevert(sessionID: string, options: { quiet?: boolean } = {}): Promise<Session> {
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
    return sessions.mutate(
      sessionID,
      ({ revert: _dropped, ...rest }) => ({ ...rest, time: { ...rest.time, updated: Date.now() } }),
      options,
    );
  }

  /** Before a new prompt: the reverted messages are removed for good and the revert is forgotten. */
  async commit(sessionID: string): Promise<void> {
    const { store, sessions, events } = this.deps;
    const session = await sessions.get(sessionID);
    if (!session.revert) return;
    const { messageID, partID } = session.revert;
    const messages = await store.listMessages(sessionID);
    const from = messages.findIndex((m) => m.info.id === messageID);
    // A revert inside a message keeps that message up to the part it names.
    for (const { info } of from < 0 ? [] : messages.slice(from + (partID ? 1 : 0))) {
      await store.deleteMessage(sessionID, info.id);
      await events.publish(session, "message.removed", { sessionID, messageID: info.id });
    }
    const kept = partID && from >= 0 ? messages[from]! : undefined;
    const cut = kept ? kept.parts.findIndex((p) => p.id === partID) : -1;
    for (const part of kept && cut >= 0 ? kept.parts.slice(cut) : []) {
      await store.deletePart(kept!.info.id, part.id);
      await events.publish(session, "message.part.removed", { sessionID, messageID: kept!.info.id, partID: part.id });
    }
    await sessions.mutate(sessionID, ({ revert: _dropped, ...rest }) => ({ ...rest, time: { ...rest.time, updated: Date.now() } }));
  }
}
