// Fans the bus out across the nodes of a pool on one PostgreSQL database. Every frame this node
// publishes (events, their sync twins, deltas) goes into the `event_outbox` table as a row
// (node_id, seq): one writer per node, whose batches run one after another, so a node's rows
// commit in seq order and a reader never sees seq n+1 before seq n. The batch's statement also
// NOTIFYs "node:last seq" (delivered on commit, after the rows are visible); the other nodes read
// that node's rows after the last seq they delivered, in order, and hand them to their bus as
// remote frames (client streams only). The rows carry the JSON, so no size limit drops an event.
// The publishing node delivered them itself already; it never reads its own rows back.
import { sql, type Kysely } from "kysely";
import type { EventBus, GlobalFrame } from "../bus/event-bus.js";
import type { Schema } from "../storage/schema.js";
import type { PgListener } from "./pg-listener.js";

export const EVENTS_CHANNEL = "agentpool_events";

/** Frames per INSERT: a burst is written in a few statements, not thousands. */
const BATCH = 500;
/** Rows per read of another node's events. */
const PAGE = 1_000;

export interface RelayOptions {
  nodeID: string;
  db: Kysely<Schema>;
  bus: EventBus;
  listener: PgListener;
  onError?: (error: unknown, message: string) => void;
  /** How long rows stay (5 min): a node that falls further behind loses what was pruned. */
  retentionMs?: number;
  /** How often this node prunes (1 min). */
  pruneEveryMs?: number;
}

export class PgEventRelay {
  /** Frames published and not yet written, as JSON, oldest first. */
  private readonly queue: string[] = [];
  private nextSeq = 1;
  private flushing: Promise<void> | undefined;
  /** Per other node, the last seq delivered here. */
  private readonly delivered = new Map<string, number>();
  /** Reads run one at a time, so each node's rows are delivered in order and once. */
  private reading: Promise<void> = Promise.resolve();
  private readonly stops: (() => void)[] = [];
  private pruner: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly onError: (error: unknown, message: string) => void;

  constructor(private readonly options: RelayOptions) {
    this.onError = options.onError ?? (() => undefined);
  }

  /**
   * Starts relaying; call once the listener listens. What is in the table now happened before
   * this node was here: reading starts after each node's last row.
   */
  start(): Promise<void> {
    const { bus, listener } = this.options;
    // Internal: this node's own services, not a stream; every frame, in the order published.
    this.stops.push(bus.subscribeAll((frame) => this.enqueue(frame), { internal: true }));
    this.stops.push(listener.on(EVENTS_CHANNEL, (payload) => this.notified(payload)));
    this.stops.push(listener.onReconnect(() => this.catchUp()));
    const baseline = this.lastSeqs().then((last) => {
      for (const [node, seq] of last) this.delivered.set(node, seq);
    });
    this.reading = baseline.catch(() => undefined);
    const every = this.options.pruneEveryMs ?? 60_000;
    const retention = this.options.retentionMs ?? 5 * 60_000;
    this.pruner = setInterval(
      () => void pruneOutbox(this.options.db, retention).catch((error) => this.onError(error, "could not prune the event outbox")),
      every,
    );
    this.pruner.unref();
    return baseline;
  }

  /** Writes what is still queued, then stops. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const stop of this.stops.splice(0)) stop();
    clearInterval(this.pruner);
    await this.flushed();
    this.closed = true;
    await this.reading;
  }

  /** Resolves once everything published so far is in the table (tests; shutdown). */
  async flushed(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private enqueue(frame: GlobalFrame): void {
    this.queue.push(JSON.stringify(frame));
    this.flushing ??= this.flush();
  }

  /** The one writer: batch after batch until the queue is empty; a failed batch is retried as it was. */
  private async flush(): Promise<void> {
    // The rest of the publishing call (a durable event's sync twin) joins the first batch.
    await Promise.resolve();
    let failures = 0;
    for (;;) {
      if (!this.queue.length) {
        this.flushing = undefined;
        return;
      }
      const batch = this.queue.slice(0, BATCH);
      try {
        await this.write(this.nextSeq, batch);
        failures = 0;
      } catch (error) {
        failures++;
        this.onError(error, `could not write ${batch.length} events to the outbox (attempt ${failures})`);
        // Closing does not wait for a database that is gone: what is left is lost to the other nodes.
        if (this.stops.length === 0 && failures >= 3) {
          this.queue.length = 0;
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** failures)));
        continue;
      }
      this.queue.splice(0, batch.length);
      this.nextSeq += batch.length;
    }
  }

  /**
   * One statement: the rows and the NOTIFY commit together. A retry after a failure that did
   * commit finds its rows there (same seqs) and only notifies again.
   */
  private async write(first: number, frames: string[]): Promise<void> {
    const { nodeID, db } = this.options;
    const last = first + frames.length - 1;
    await sql`
      WITH written AS (
        INSERT INTO event_outbox (node_id, seq, created_at, frame)
        SELECT ${nodeID}, ${first}::bigint + t.i - 1, ${Date.now()}::bigint, t.frame
        FROM unnest(${frames}::text[]) WITH ORDINALITY AS t(frame, i)
        ON CONFLICT DO NOTHING
      )
      SELECT pg_notify(${EVENTS_CHANNEL}, ${`${nodeID}:${last}`})`.execute(db);
  }

  private notified(payload: string): void {
    const colon = payload.lastIndexOf(":");
    const node = payload.slice(0, colon);
    const seq = Number(payload.slice(colon + 1));
    if (colon < 0 || node === this.options.nodeID || !Number.isFinite(seq)) return;
    this.read(() => this.readNode(node, seq));
  }

  /** After the listener was away: every node's rows after what was delivered. */
  private catchUp(): void {
    this.read(async () => {
      for (const [node, seq] of await this.lastSeqs()) await this.readNode(node, seq);
    });
  }

  private read(job: () => Promise<void>): void {
    this.reading = this.reading.then(job).catch((error: unknown) => {
      if (this.closed) return;
      this.onError(error, "could not read other nodes' events; catching up shortly");
      setTimeout(() => this.catchUp(), 1_000).unref();
    });
  }

  /** Delivers `node`'s rows after the last delivered, up to `upTo` at least, in seq order. */
  private async readNode(node: string, upTo: number): Promise<void> {
    const { db, bus } = this.options;
    for (;;) {
      const after = this.delivered.get(node) ?? 0;
      if (after >= upTo || this.closed) return;
      const rows = await db
        .selectFrom("event_outbox")
        .select(["seq", "frame"])
        .where("node_id", "=", node)
        .where("seq", ">", after)
        .orderBy("seq")
        .limit(PAGE)
        .execute();
      if (!rows.length) return;
      const firstSeq = Number(rows[0]!.seq);
      if (firstSeq !== after + 1 && after > 0)
        this.onError(new Error(`events ${after + 1}..${firstSeq - 1} of ${node} were pruned`), "missed events");
      for (const row of rows) {
        this.delivered.set(node, Number(row.seq));
        try {
          bus.deliverRemote(JSON.parse(row.frame) as GlobalFrame);
        } catch (error) {
          this.onError(error, "a stream failed on a remote event");
        }
      }
      if (rows.length < PAGE) return;
    }
  }

  /** Each other node's last seq in the table. */
  private async lastSeqs(): Promise<Map<string, number>> {
    const rows = await this.options.db
      .selectFrom("event_outbox")
      .select(["node_id", (eb) => eb.fn.max("seq").as("last")])
      .where("node_id", "!=", this.options.nodeID)
      .groupBy("node_id")
      .execute();
    return new Map(rows.map((row) => [row.node_id, Number(row.last)]));
  }
}

/** Deletes the outbox rows older than `retentionMs`, every node's (any node may prune). */
export async function pruneOutbox(db: Kysely<Schema>, retentionMs: number, now = Date.now()): Promise<void> {
  await db
    .deleteFrom("event_outbox")
    .where("created_at", "<", now - retentionMs)
    .execute();
}
