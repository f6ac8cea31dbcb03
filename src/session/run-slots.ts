// Caps on concurrent runs across the pool, per agent and per provider (`agentpool serve
// --run-limit agent:build=2`, AGENTPOOL_RUN_LIMITS), so that a provider's rate limit holds however
// many nodes share the database. Before a turn calls the model, its run takes one slot of each
// capped key it uses (`agent:<name>`, `provider:<id>`; the cluster store's run_slot rows, renewed
// with the node's heartbeat) and keeps them until the run ends. A run that finds no free slot
// waits in line (a ticket, served in arrival order across the pool), polling, its session busy.
//
// Sub-agent runs (sessions with a parent: the task tool, team members) take no slot: they run
// inside their parent's run, which already holds its slots, and a parent waiting on a child that
// waits for the parent's own slot would never end.
import type { Session, UserMessage } from "../../generated/schemas.js";
import type { ClusterStore } from "../storage/cluster-store.js";

/** Cap per key: "agent:build" -> 2, "provider:anthropic" -> 4. */
export type RunLimits = Record<string, number>;

export type SlotStore = Pick<ClusterStore, "enqueueRunSlot" | "takeRunSlot" | "releaseRunSlot" | "dropRunSlotTicket">;

const KINDS = ["agent", "provider"];
/** How often a failed release is tried again, every third of the ttl. */
const RELEASE_ATTEMPTS = 20;

/**
 * Reads `kind:name=cap` entries (each may also be a comma-separated list), as the CLI option and
 * AGENTPOOL_RUN_LIMITS give them. Throws an Error saying what is wrong with a bad one.
 */
export function parseRunLimits(entries: string[]): RunLimits {
  const limits: RunLimits = {};
  for (const entry of entries.flatMap((value) => value.split(",")).map((value) => value.trim())) {
    if (!entry) continue;
    const match = /^([a-z]+):([^=\s]+)=(\S+)$/.exec(entry);
    if (!match || !KINDS.includes(match[1]!))
      throw new Error(`run limit "${entry}" must look like agent:<name>=<cap> or provider:<id>=<cap>`);
    const cap = Number(match[3]);
    if (!/^\d+$/.test(match[3]!) || !Number.isSafeInteger(cap) || cap < 1)
      throw new Error(`run limit "${entry}": the cap must be a whole number of at least 1`);
    const key = `${match[1]}:${match[2]}`;
    if (key in limits) throw new Error(`run limit for ${key} is given twice`);
    limits[key] = cap;
  }
  return limits;
}

export interface RunSlotOptions {
  limits: RunLimits;
  /** The node's id and lease ttl: its heartbeat (RunLeases) renews the slots it holds. */
  nodeID: string;
  ttlMs: number;
  /** How often a waiting run asks again (500 ms, or less with a short ttl, as RunLeases). */
  pollMs?: number;
  /** The server's logger (pino's shape, narrowed to what is used here). */
  log: { info(details: object, message: string): void; warn(details: object, message: string): void };
}

export class RunSlots {
  private readonly pollMs: number;
  /** Per session, the keys its run holds a slot of on this node. */
  private readonly held = new Map<string, string[]>();

  constructor(
    private readonly store: SlotStore,
    private readonly options: RunSlotOptions,
  ) {
    this.pollMs = options.pollMs ?? Math.max(20, Math.min(500, Math.floor(options.ttlMs / 3)));
  }

  /** Whether any cap is set; without one no run touches the store for slots. */
  get enabled(): boolean {
    return Object.keys(this.options.limits).length > 0;
  }

  /** The capped keys a turn answering `user` in `session` takes, sorted (none for a sub-agent's session). */
  keysFor(session: Pick<Session, "parentID">, user: Pick<UserMessage, "agent" | "model">): string[] {
    if (session.parentID) return [];
    const keys = [`agent:${user.agent}`, `provider:${user.model.providerID}`];
    return keys.filter((key) => key in this.options.limits).sort();
  }

  /**
   * Makes the session's run hold a slot of each capped key of the turn answering `user`, waiting
   * in line for them. Resolves true once held, false when `signal` aborts first (holding none).
   */
  async hold(session: Pick<Session, "id" | "parentID">, user: Pick<UserMessage, "agent" | "model">, signal: AbortSignal): Promise<boolean> {
    const keys = this.keysFor(session, user);
    const held = this.held.get(session.id) ?? [];
    if (keys.length === held.length && keys.every((key, i) => key === held[i])) return true;
    // Other keys than the previous turn's: give them all up and take the new ones in sorted order,
    // so that no two runs each hold a key the other waits for.
    await this.release(session.id);
    const taken: string[] = [];
    this.held.set(session.id, taken);
    for (const key of keys) {
      if (!(await this.take(key, session.id, signal))) {
        await this.release(session.id);
        return false;
      }
      taken.push(key);
    }
    return true;
  }

  /** Gives up every slot the session's run holds (its run ended: done, failed or aborted). Never throws. */
  async release(sessionID: string): Promise<void> {
    const keys = this.held.get(sessionID);
    if (!keys) return;
    this.held.delete(sessionID);
    for (const key of keys) await this.releaseOne(key, sessionID, RELEASE_ATTEMPTS);
  }

  /**
   * The node's heartbeat renews every slot the node holds in the database: one left there by a
   * failed release would stay taken, so it is asked again (a failure usually means the database
   * is away for a moment), unless the session's next run holds that key again by then.
   */
  private async releaseOne(key: string, sessionID: string, attempts: number): Promise<void> {
    if (this.held.get(sessionID)?.includes(key)) return;
    try {
      await this.store.releaseRunSlot(key, sessionID, this.options.nodeID);
    } catch (error) {
      this.options.log.warn({ err: error, sessionID, key }, "could not release a run slot");
      if (attempts > 1) setTimeout(() => void this.releaseOne(key, sessionID, attempts - 1), this.options.ttlMs / 3).unref();
    }
  }

  /** Takes one slot of `key`, in line behind the runs that came first; false when aborted. */
  private async take(key: string, sessionID: string, signal: AbortSignal): Promise<boolean> {
    const { nodeID, ttlMs, limits } = this.options;
    const cap = limits[key]!;
    let ticket: number | undefined;
    try {
      for (;;) {
        if (signal.aborted) return false;
        const slot = await this.store.takeRunSlot(key, cap, sessionID, nodeID, ttlMs, ticket);
        if (slot !== undefined) {
          ticket = undefined; // taking it dropped the ticket
          return true;
        }
        if (ticket === undefined) {
          ticket = await this.store.enqueueRunSlot(key, sessionID, nodeID, ttlMs);
          this.options.log.info({ sessionID, key, cap }, `run waits for ${key}`);
        }
        await pause(this.pollMs, signal);
      }
    } finally {
      // Aborted (or failed) while in line: leave it, so nobody waits behind a run that is gone.
      if (ticket !== undefined) await this.store.dropRunSlotTicket(ticket).catch(() => undefined);
    }
  }
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
