// Which sessions are running, and how to stop them. The prompt loop registers each run here;
// /session/status lists the busy ones and /session/{id}/abort cancels one.
// With a cluster store, a run also holds its session's lease across the nodes of a shared
// database (./run-lease.ts), runs no node holds any more are finalised by a periodic sweep, and
// an abort asked of one node reaches the run on the node that holds its lease (a cluster signal).
import type { SessionStatus } from "../../generated/schemas.js";
import type { ClusterSignals } from "../cluster/cluster-signals.js";
import type { ClusterStore } from "../storage/cluster-store.js";
import { RunLeases } from "./run-lease.js";
import { finaliseInterruptedRuns, type RecoveryDeps } from "./run-recovery.js";

interface ActiveRun {
  status: SessionStatus;
  controller: AbortController;
  /** Resolves once the run holds its session's lease (false: aborted while waiting for it). */
  leased: Promise<boolean>;
}

export interface RunRegistryDeps {
  store: RecoveryDeps["store"];
  events: RecoveryDeps["events"];
  cluster: Pick<ClusterStore, "acquireRunLease" | "renewNode" | "releaseRunLease" | "liveRunLeases" | "forgetDeadNodes">;
  signals: ClusterSignals;
  onError?: (error: unknown) => void;
}

const ABORT = "run.abort";

export class RunRegistry {
  private readonly active = new Map<string, ActiveRun>();
  private readonly work = new Set<Promise<void>>();
  readonly leases: RunLeases | undefined;
  private readonly stopListening: () => void = () => {};

  constructor(private readonly deps?: RunRegistryDeps) {
    if (!deps) return;
    this.leases = new RunLeases(deps.cluster, {
      nodeID: deps.signals.nodeID,
      sweep: () => this.finaliseInterruptedRuns(),
      // Another node finalised the run while this one stalled: stop what is left of it here.
      onLost: (sessionID) => this.active.get(sessionID)?.controller.abort(),
      onError: deps.onError,
    }).start();
    this.stopListening = deps.signals.on(ABORT, (body) => {
      if (typeof body.sessionID === "string") this.active.get(body.sessionID)?.controller.abort();
    });
  }

  /** Finalises the runs no node runs any more (a node, or this server before a restart, died mid-run); answers how many messages it closed. */
  async finaliseInterruptedRuns(): Promise<number> {
    const { deps, leases } = this;
    if (!deps || !leases) return 0;
    await deps.cluster.forgetDeadNodes(Date.now());
    return finaliseInterruptedRuns({ store: deps.store, events: deps.events, leases });
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

  /** Ends the session's run here and gives its lease up: resolves once no node sees it running. */
  async finish(sessionID: string): Promise<void> {
    if (!this.active.delete(sessionID) || !this.leases) return;
    await this.leases.release(sessionID).catch((error: unknown) => this.deps?.onError?.(error));
  }

  /** Keeps track of background work (a run and its bookkeeping) that shutdown must wait for. */
  track(work: Promise<void>): void {
    this.work.add(work);
    void work.finally(() => this.work.delete(work));
  }

  /** Aborts every run and resolves once all tracked work has ended (server shutdown). */
  async stopAll(): Promise<void> {
    this.leases?.stop();
    this.stopListening();
    for (const run of this.active.values()) run.controller.abort();
    await Promise.allSettled([...this.work]);
  }

  /** Whether this node runs the session (or has its prompt waiting for the lease). */
  isBusy(sessionID: string): boolean {
    return this.active.has(sessionID);
  }

  /** Busy sessions only, as upstream lists them: this node's runs and the runs other nodes hold leases for. */
  async statuses(): Promise<Record<string, SessionStatus>> {
    const statuses: Record<string, SessionStatus> = {};
    if (this.deps && this.leases)
      for (const { sessionID } of await this.deps.cluster.liveRunLeases(Date.now())) statuses[sessionID] = { type: "busy" };
    for (const [id, run] of this.active) statuses[id] = run.status;
    return statuses;
  }

  /**
   * Cancels the session's run, here and on the node that holds its lease, if one is going; true
   * either way, as upstream answers.
   */
  async abort(sessionID: string): Promise<true> {
    this.active.get(sessionID)?.controller.abort();
    if (this.deps && this.leases) {
      for (const lease of await this.deps.cluster.liveRunLeases(Date.now(), sessionID))
        if (lease.nodeID !== this.leases.nodeID) await this.deps.signals.send({ topic: ABORT, node: lease.nodeID, body: { sessionID } });
    }
    return true;
  }
}
