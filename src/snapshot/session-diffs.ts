// What a session changed in the project's files: per turn (the user message's summary.diffs),
// per session (session.diff and session.summary), from the snapshots taken at every step.
import path from "node:path";
import type { Session, SnapshotFileDiff, UserMessage } from "../../generated/schemas.js";
import type { Projects } from "../project/projects.js";
import type { SessionEvents } from "../session/session-events.js";
import type { SessionService } from "../session/session-service.js";
import type { StepSnapshots } from "../session/turn-recorder.js";
import type { MessageWithParts, Store } from "../storage/store.js";
import { NO_WORKTREE } from "../workspace/worktree.js";
import type { Snapshots } from "./snapshots.js";

function firstStepSnapshot(messages: MessageWithParts[]): string | undefined {
  for (const { parts } of messages) {
    for (const part of parts) if (part.type === "step-start" && part.snapshot) return part.snapshot;
  }
  return undefined;
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

  /** Changes since `base` (a snapshot) until now. */
  private async since(directory: string, base: string | undefined): Promise<SnapshotFileDiff[]> {
    if (!base) return [];
    const project = await this.deps.projects.locate(directory);
    if (project.worktree === NO_WORKTREE) return [];
    const now = await this.deps.snapshots.track(project.id, project.worktree);
    return this.deps.snapshots.diff(project.id, project.worktree, base, now);
  }

  /** The session's changes, or one turn's (the turn answering `messageID`, a user message). */
  async diff(sessionID: string, messageID?: string): Promise<SnapshotFileDiff[]> {
    const session = await this.deps.sessions.get(sessionID);
    const messages = await this.deps.store.listMessages(sessionID);
    const scope = messageID
      ? messages.filter((m) => m.info.id === messageID || (m.info.role === "assistant" && m.info.parentID === messageID))
      : messages;
    return this.since(session.directory, firstStepSnapshot(scope));
  }

  /**
   * Publishes what upstream publishes at each step and at the end of a run: session.updated with
   * the summary counts, session.diff, and the user message with its turn's diffs.
   */
  async publishSummary(sessionID: string, user: UserMessage): Promise<void> {
    const { store, sessions, events } = this.deps;
    const session = await sessions.get(sessionID);
    const messages = await store.listMessages(sessionID);
    const sessionDiff = await this.since(session.directory, firstStepSnapshot(messages));
    const turn = messages.filter((m) => m.info.role === "assistant" && m.info.parentID === user.id);
    const turnDiff = await this.since(session.directory, firstStepSnapshot(turn));
    const summary = {
      additions: sessionDiff.reduce((n, d) => n + d.additions, 0),
      deletions: sessionDiff.reduce((n, d) => n + d.deletions, 0),
      files: sessionDiff.length,
    };
    const updated: Session = await sessions.mutate(sessionID, (current) => ({ ...current, summary }));
    await events.publish(updated, "session.diff", { sessionID, diff: sessionDiff });
    const stored = (await store.getMessage(sessionID, user.id))?.info as UserMessage | undefined;
    if (!stored) return;
    const withDiffs: UserMessage = { ...stored, summary: { ...stored.summary, diffs: turnDiff } };
    await store.putMessage(withDiffs);
    await events.publish(updated, "message.updated", { sessionID, info: withDiffs });
  }
}
