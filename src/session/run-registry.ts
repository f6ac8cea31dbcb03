// Which sessions are running, and how to stop them. The prompt loop registers each run here;
// /session/status lists the busy ones and /session/{id}/abort cancels one.
import type { SessionStatus } from "../../generated/schemas.js";

interface ActiveRun {
  status: SessionStatus;
  controller: AbortController;
}

export class RunRegistry {
  private readonly active = new Map<string, ActiveRun>();
  private readonly work = new Set<Promise<void>>();

  /** Marks a session busy; the returned signal fires on abort. */
  start(sessionID: string): AbortSignal {
    const controller = new AbortController();
    this.active.set(sessionID, { status: { type: "busy" }, controller });
    return controller.signal;
  }

  setStatus(sessionID: string, status: SessionStatus): void {
    const run = this.active.get(sessionID);
    if (run) run.status = status;
  }

  finish(sessionID: string): void {
    this.active.delete(sessionID);
  }

  /** Keeps track of background work (a run and its bookkeeping) that shutdown must wait for. */
  track(work: Promise<void>): void {
    this.work.add(work);
    void work.finally(() => this.work.delete(work));
  }

  /** Aborts every run and resolves once all tracked work has ended (server shutdown). */
  async stopAll(): Promise<void> {
    for (const run of this.active.values()) run.controller.abort();
    await Promise.allSettled([...this.work]);
  }

  isBusy(sessionID: string): boolean {
    return this.active.has(sessionID);
  }

  /** Busy sessions only, as upstream lists them. */
  statuses(): Record<string, SessionStatus> {
    return Object.fromEntries([...this.active].map(([id, run]) => [id, run.status]));
  }

  /** Cancels the session's run, if one is going; true either way, as upstream answers. */
  abort(sessionID: string): true {
    this.active.get(sessionID)?.controller.abort();
    return true;
  }
}
