// Cluster signals over PostgreSQL: a signal is one NOTIFY on its own channel, carrying its JSON
// (topic, the node it is for, the sender, the body); every node's listener hears it and only the
// node it names runs the handlers. NOTIFY is fire-and-forget: a node whose listener is
// reconnecting misses what is sent meanwhile, so a caller that must know waits for an answer.
import { sql, type Kysely } from "kysely";
import type { ClusterSignal, ClusterSignals } from "./cluster-signals.js";
import type { PgListener } from "./pg-listener.js";

export const SIGNALS_CHANNEL = "agentpool_signals";

/** PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more; the interface promises under 7,000. */
const MAX_SIGNAL_BYTES = 7_000;

interface Wire {
  topic: string;
  node: string;
  from: string;
  body: Record<string, unknown>;
}

export class PgSignals implements ClusterSignals {
  private readonly handlers = new Map<string, Set<(body: Record<string, unknown>) => void>>();
  private readonly stop: () => void;

  constructor(
    readonly nodeID: string,
    // Sends through the pool: the listener's connection is busy listening.
    private readonly db: Kysely<any>,
    listener: PgListener,
    private readonly onError: (error: unknown, message: string) => void = () => undefined,
  ) {
    this.stop = listener.on(SIGNALS_CHANNEL, (payload) => this.receive(payload));
  }

  async send(signal: ClusterSignal): Promise<void> {
    const wire: Wire = { topic: signal.topic, node: signal.node, from: this.nodeID, body: signal.body };
    const text = JSON.stringify(wire);
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_SIGNAL_BYTES) throw new Error(`signal ${signal.topic} is ${bytes} bytes; a signal stays under ${MAX_SIGNAL_BYTES}`);
    await sql`SELECT pg_notify(${SIGNALS_CHANNEL}, ${text})`.execute(this.db);
  }

  on(topic: string, handler: (body: Record<string, unknown>) => void): () => void {
    const set = this.handlers.get(topic) ?? new Set();
    this.handlers.set(topic, set);
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Stops hearing signals (the listener itself is closed by its owner). */
  close(): void {
    this.stop();
  }

  private receive(payload: string): void {
    let wire: Wire;
    try {
      wire = JSON.parse(payload) as Wire;
    } catch (error) {
      return this.onError(error, "unreadable cluster signal");
    }
    if (wire.node !== this.nodeID) return;
    for (const handler of [...(this.handlers.get(wire.topic) ?? [])]) {
      try {
        handler(wire.body);
      } catch (error) {
        this.onError(error, `cluster signal handler for ${wire.topic} failed`);
      }
    }
  }
}
