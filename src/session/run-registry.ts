// Which sessions are running, and how to stop them. The prompt loop registers each run here;
// /session/status lists the busy ones and /session/{id}/abort cancels one.
// With a store, a run also holds its session's lease across the nodes of a shared database
// (./run-lease.ts), and runs no node holds any more are finalised by a periodic sweep.
import type { SessionStatus } from "../../generated/schemas.js";
import { RunLeases, type LeaseStore } from "./run-lease.js";
import { finaliseInterruptedRuns, type RecoveryDeps } from "./run-recovery.js";

interface ActiveRun {
  status: SessionStatus;
  controller: AbortController;
  /** Resolves once the run holds its session's lease (false: aborted while waiting for it). */
  leased: Promise<boolean>;
}

export class RunRegistry {
  private readonly active = new Map<string, ActiveRun>();
  private readonly work = new Set<Promise<void>>();
  readonly leases: RunLeases | undefined;

  constructor(deps?: { store: LeaseStore & RecoveryDeps["store"]; events: RecoveryDeps["events"]; onError?: (error: unknown) => void }) {
    if (deps)
      this.leases = new RunLeases(deps.store, {
        sweep: () => finaliseInterruptedRuns(deps),
        onError: deps.onError,
      }).start();
  }

  /**
   * Marks a session busy; the returned signal fires on abort. Takes the session's lease, at
   * once or once another node's run of it ends: a run awaits `whenLeased` before it runs.
   */
  start(sessionID: string): AbortSignal {
    const controller = new AbortController();
    const leased = this.leases ? this.leases.acquire(sessionID, controller.signal) : Promise.resolve(true);
    leased.catch(() => undefined);
    this.active.set(sessionID, { status: { type: "busy" }, controller, leased });
    return controller.signal;
  }

  /** Resolves once the session's run may go (its lease held, or aborted meanwhile); rejects when waiting timed out. */
  async whenLeased(sessionID: string): Promise<void> {
    await this.active.get(sessionID)?.leased;
  }

  setStatus(sessionID: string, status: SessionStatus): void {
    const run = this.active.get(sessionID);
    if (run) run.status = status;
  }

  finish(sessionID: string): void {
    if (!this.active.delete(sessionID) || !this.leases) return;
    void this.leases.release(sessionID).catch(() => undefined);
  }

  /** Keeps track of background work (a run and its bookkeeping) that shutdown must wait for. */
  track(work: Promise<void>): void {
    this.work.add(work);
    void work.finally(() => this.work.delete(work));
  }

  /** Aborts every run and resolves once all tracked work has ended (server shutdown). */
  async stopAll(): Promise<void> {
    this.leases?.stop();
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
