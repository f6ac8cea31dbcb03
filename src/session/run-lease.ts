// Run leases: one run per session across every node on a shared database. A run takes its
// session's lease before it starts (waiting while another node's run holds it), this node renews
// the leases it holds on a timer, and gives each up when its run ends. A node that dies stops
// renewing: its leases expire, and every node's sweep finalises the runs nobody holds.
import { randomUUID } from "node:crypto";
import type { Store } from "../storage/store.js";

export type LeaseStore = Pick<Store, "acquireRunLease" | "renewRunLeases" | "releaseRunLease">;

const DEFAULT_TTL_MS = 15_000;
/** How long a run waits for another node's run of its session before it gives up. */
const DEFAULT_MAX_WAIT_MS = 30 * 60_000;

export interface RunLeaseOptions {
  /** How long a lease lives unrenewed (AGENTPOOL_LEASE_TTL_MS, else 15 s); renewed every third of it. */
  ttlMs?: number;
  /** How often a waiting run asks for the lease again (500 ms, or less with a short ttl). */
  pollMs?: number;
  maxWaitMs?: number;
  /** Run every ttl: finalises the runs whose lease expired (their node died). */
  sweep?: () => Promise<unknown>;
  onError?: (error: unknown) => void;
}

export class RunLeaseTimeoutError extends Error {}

function ttlFromEnvironment(): number {
  const value = Number(process.env.AGENTPOOL_LEASE_TTL_MS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_TTL_MS;
}

export class RunLeases {
  /** This process's id among the nodes. */
  readonly nodeID = `node_${randomUUID()}`;
  readonly ttlMs: number;
  private readonly pollMs: number;
  private readonly maxWaitMs: number;
  /** Per session, the last acquire or release asked for: they run in that order. */
  private readonly lanes = new Map<string, Promise<unknown>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private sweeping = false;

  constructor(
    private readonly store: LeaseStore,
    private readonly options: RunLeaseOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? ttlFromEnvironment();
    this.pollMs = options.pollMs ?? Math.max(20, Math.min(500, Math.floor(this.ttlMs / 3)));
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  }

  /** Starts renewing this node's leases, and sweeping when a sweep is given. */
  start(): this {
    if (this.timers.length) return this;
    const renew = setInterval(() => void this.store.renewRunLeases(this.nodeID, this.ttlMs).catch(this.reportError), this.ttlMs / 3);
    this.timers.push(renew);
    if (this.options.sweep) this.timers.push(setInterval(() => void this.sweep(), this.ttlMs));
    for (const timer of this.timers) timer.unref();
    return this;
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }

  private readonly reportError = (error: unknown) => this.options.onError?.(error);

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
        if (await this.store.acquireRunLease(sessionID, this.nodeID, this.ttlMs)) return true;
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
    return this.inLane(sessionID, () => this.store.releaseRunLease(sessionID, this.nodeID));
  }
}
