// Run leases: one run per session across every node on a shared database. A run takes its
// session's lease before it starts (waiting while another node's run holds it), this node renews
// the leases it holds on a timer, and gives each up when its run ends. A node that dies stops
// renewing: its leases expire, and every node's sweep finalises the runs nobody holds. A node
// that stalled past its ttl finds, at its next renewal, the leases another node took over: it
// stops those runs (the other node has finalised them).
import type { ClusterStore } from "../storage/cluster-store.js";

export type LeaseStore = Pick<ClusterStore, "acquireRunLease" | "renewNode" | "releaseRunLease">;

const DEFAULT_TTL_MS = 15_000;
/** How long a run waits for another node's run of its session before it gives up. */
const DEFAULT_MAX_WAIT_MS = 30 * 60_000;

export interface RunLeaseOptions {
  /** This process's id among the nodes. */
  nodeID: string;
  /** How long a lease lives unrenewed (AGENTPOOL_LEASE_TTL_MS, else 15 s); renewed every third of it. */
  ttlMs?: number;
  /** How often a waiting run asks for the lease again (500 ms, or less with a short ttl). */
  pollMs?: number;
  maxWaitMs?: number;
  /** Run every ttl: finalises the runs whose lease expired (their node died). */
  sweep?: () => Promise<unknown>;
  /** A lease this node held was taken over by another node (this one stalled past the ttl). */
  onLost?: (sessionID: string) => void;
  onError?: (error: unknown) => void;
}

export class RunLeaseTimeoutError extends Error {}

function ttlFromEnvironment(): number {
  const value = Number(process.env.AGENTPOOL_LEASE_TTL_MS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_TTL_MS;
}

export class RunLeases {
  readonly nodeID: string;
  readonly ttlMs: number;
  private readonly pollMs: number;
  private readonly maxWaitMs: number;
  /** Per session, the last acquire or release asked for: they run in that order. */
  private readonly lanes = new Map<string, Promise<unknown>>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** The sessions this node took the lease of and has not given up. */
  private readonly held = new Set<string>();
  private sweeping = false;

  constructor(
    private readonly store: LeaseStore,
    private readonly options: RunLeaseOptions,
  ) {
    this.nodeID = options.nodeID;
    this.ttlMs = options.ttlMs ?? ttlFromEnvironment();
    this.pollMs = options.pollMs ?? Math.max(20, Math.min(500, Math.floor(this.ttlMs / 3)));
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  }

  /** Beats now and then every third of the ttl (renewing the leases), and sweeps when a sweep is given. */
  start(): this {
    if (this.timers.length) return this;
    void this.renew();
    this.timers.push(setInterval(() => void this.renew(), this.ttlMs / 3));
    if (this.options.sweep) this.timers.push(setInterval(() => void this.sweep(), this.ttlMs));
    for (const timer of this.timers) timer.unref();
    return this;
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }

  private readonly reportError = (error: unknown) => this.options.onError?.(error);

  private async renew(): Promise<void> {
    try {
      // Taken before the round trip: a lease acquired meanwhile is not lost.
      const believed = [...this.held];
      const still = new Set(await this.store.renewNode(this.nodeID, this.ttlMs));
      for (const sessionID of believed) {
        if (still.has(sessionID) || !this.held.delete(sessionID)) continue;
        this.options.onLost?.(sessionID);
      }
    } catch (error) {
      this.reportError(error);
    }
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.options.sweep!();
    } catch (error) {
      this.reportError(error);
    } finally {
      this.sweeping = false;
    }
  }

  private inLane<T>(sessionID: string, operation: () => Promise<T>): Promise<T> {
    const result = (this.lanes.get(sessionID) ?? Promise.resolve()).then(operation);
    const settled = result.catch(() => undefined);
    this.lanes.set(sessionID, settled);
    void settled.then(() => {
      if (this.lanes.get(sessionID) === settled) this.lanes.delete(sessionID);
    });
    return result;
  }

  /**
   * Takes the session's lease, asking again every pollMs while another live node holds it.
   * Resolves true once held, false when `signal` aborts first; rejects past maxWaitMs.
   */
  acquire(sessionID: string, signal?: AbortSignal): Promise<boolean> {
    return this.inLane(sessionID, async () => {
      const deadline = Date.now() + this.maxWaitMs;
      for (;;) {
        if (signal?.aborted) return false;
        if (await this.store.acquireRunLease(sessionID, this.nodeID, this.ttlMs)) {
          this.held.add(sessionID);
          return true;
        }
        if (Date.now() >= deadline) throw new RunLeaseTimeoutError(`session ${sessionID} is still running on another node`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, this.pollMs);
          function done() {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
          }
          signal?.addEventListener("abort", done, { once: true });
        });
      }
    });
  }

  /** Gives the session's lease up (after any acquire still under way). */
  release(sessionID: string): Promise<void> {
    return this.inLane(sessionID, () => {
      this.held.delete(sessionID);
      return this.store.releaseRunLease(sessionID, this.nodeID);
    });
  }

  /**
   * Takes a lease nobody holds live for a moment of work (finalising a dead node's run): only one
   * node does that work. Answers false, doing nothing, when the session's lease is held.
   */
  async whileHolding(sessionID: string, work: () => Promise<void>): Promise<boolean> {
    if (this.held.has(sessionID) || !(await this.store.acquireRunLease(sessionID, this.nodeID, this.ttlMs))) return false;
    try {
      await work();
    } finally {
      await this.store.releaseRunLease(sessionID, this.nodeID);
    }
    return true;
  }
}
