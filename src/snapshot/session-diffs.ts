// What a session changed in the project's files, as upstream (1.18.33) reports it: a turn's
// change is kept on its user message (summary.diffs: from the snapshot at the start of the turn's
// first step to the one at the end of its last step). During turns the session itself reports no
// change (session.diff with an empty list, summary zero); only a revert reports the change it
// undid (see RevertService). GET /session/{id}/diff answers a turn's stored diffs, or nothing.
import path from "node:path";
import type { Session, SnapshotFileDiff, UserMessage } from "../../generated/schemas.js";
import type { Projects } from "../project/projects.js";
import type { SessionEvents } from "../session/session-events.js";
import type { SessionService } from "../session/session-service.js";
import type { StepSnapshots } from "../session/turn-recorder.js";
import type { MessageWithParts, Store } from "../storage/store.js";
import { NO_WORKTREE } from "../git/worktree.js";
import type { Snapshots } from "./snapshots.js";

/** The snapshots a run of messages spans: the first step's start and the last step's end. */
export function stepSpan(messages: MessageWithParts[]): { from?: string; to?: string } {
  let from: string | undefined;
  let to: string | undefined;
  for (const { parts } of messages) {
    for (const part of parts) {
      if (!from && part.type === "step-start" && part.snapshot) from = part.snapshot;
      if (part.type === "step-finish" && part.snapshot) to = part.snapshot;
    }
  }
  return { from, to };
}

/** Whether a reply's last step ran to its end (a step-finish after its last step-start). */
function lastStepFinished(reply: MessageWithParts): boolean {
  const steps = reply.parts.filter((p) => p.type === "step-start" || p.type === "step-finish");
  return steps.at(-1)?.type === "step-finish";
}

/** A user message and the assistant messages answering it. */
function turnOf(messages: MessageWithParts[], userID: string): MessageWithParts[] {
  return messages.filter((m) => m.info.id === userID || (m.info.role === "assistant" && m.info.parentID === userID));
}

export const ZERO_SUMMARY = { additions: 0, deletions: 0, files: 0 };

/** The summary counts of a list of file diffs. */
export function summaryOf(diffs: SnapshotFileDiff[]): NonNullable<Session["summary"]> {
  return {
    additions: diffs.reduce((n, d) => n + d.additions, 0),
    deletions: diffs.reduce((n, d) => n + d.deletions, 0),
    files: diffs.length,
  };
}

export class SessionDiffs {
  constructor(
    private readonly deps: { store: Store; snapshots: Snapshots; projects: Projects; sessions: SessionService; events: SessionEvents },
  ) {}

  /** Snapshot hooks for a turn in this directory, or undefined outside a git worktree. */
  async stepSnapshots(directory: string): Promise<StepSnapshots | undefined> {
    const project = await this.deps.projects.locate(directory);
    if (project.worktree === NO_WORKTREE) return undefined;
    const { snapshots } = this.deps;
    return {
      take: () => snapshots.track(project.id, project.worktree),
      changedFiles: async (from, to) =>
        (await snapshots.changedFiles(project.id, project.worktree, from, to)).map((f) => path.join(project.worktree, f)),
    };
  }

  /** What the given messages changed: from their first step's start to their last step's end. */
  async changes(directory: string, messages: MessageWithParts[]): Promise<SnapshotFileDiff[]> {
    const { from, to } = stepSpan(messages);
    if (!from || !to) return [];
    const project = await this.deps.projects.locate(directory);
    if (project.worktree === NO_WORKTREE) return [];
    return this.deps.snapshots.diff(project.id, project.worktree, from, to);
  }

  /**
   * GET /session/{id}/diff: a turn's diffs as stored on its user message (`messageID`); nothing
   * for the whole session, another kind of message or an unknown one, as upstream.
   */
  async diff(sessionID: string, messageID?: string): Promise<SnapshotFileDiff[]> {
    await this.deps.sessions.get(sessionID);
    if (!messageID) return [];
    const message = await this.deps.store.getMessage(sessionID, messageID);
    if (!message || message.info.role !== "user") return [];
    return message.info.summary?.diffs ?? [];
  }

  /**
   * What upstream publishes at the start of a run's first step and after every step: the session's
   * summary reset to zero (session.updated), an empty session.diff, and the user message with its
   * turn's diffs (message.updated). With `after` (a reply), only if the reply's last step finished:
   * a step cut short (abort, provider error) publishes nothing, as upstream.
   */
  async publishSummary(sessionID: string, user: UserMessage, after?: MessageWithParts): Promise<void> {
    const { store, sessions, events } = this.deps;
    const messages = await store.listMessages(sessionID);
    if (after && !lastStepFinished(messages.find((m) => m.info.id === after.info.id) ?? after)) return;
    const updated: Session = await sessions.mutate(sessionID, (current) => ({
      ...current,
      summary: { ...ZERO_SUMMARY },
      time: { ...current.time, updated: Date.now() },
    }));
    await events.publish(updated, "session.diff", { sessionID, diff: [] });
    const stored = messages.find((m) => m.info.id === user.id)?.info;
    if (stored?.role !== "user") return;
    const diffs = await this.changes(updated.directory, turnOf(messages, user.id));
    const withDiffs: UserMessage = { ...stored, summary: { ...stored.summary, diffs } };
    await store.putMessage(withDiffs);
    await events.publish(updated, "message.updated", { sessionID, info: withDiffs });
  }
}
