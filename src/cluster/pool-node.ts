// This process as a node of a pool: on a PostgreSQL database shared with other nodes, the event
// relay and the cluster signals on one LISTEN connection; on SQLite (one node), nothing at all
// (LocalSignals, no relay: the single-node path costs nothing more).
import type { EventBus } from "../bus/event-bus.js";
import type { Database } from "../storage/database.js";
import { LocalSignals, type ClusterSignals } from "./cluster-signals.js";
import type { PgListener } from "./pg-listener.js";
import { V2_LOG_CHANNEL } from "../v2/session-event-store.js";

export interface PoolNode {
  /** This process's id, the one its signals and outbox rows carry. */
  readonly nodeID: string;
  readonly signals: ClusterSignals;
  /** The LISTEN connection (PostgreSQL only), for the channels of the services beside the relay's. */
  readonly listener?: PgListener;
  /** Writes the events still queued, stops listening. */
  close(): Promise<void>;
}

export interface PoolNodeOptions {
  nodeID: string;
  /** The open database; a relay only when it is PostgreSQL. */
  database: Database;
  /** Its URL, for the listening connection (a pooled one cannot LISTEN). */
  url: string | undefined;
  bus: EventBus;
  onError: (error: unknown, message: string) => void;
}

export async function joinPool(options: PoolNodeOptions): Promise<PoolNode> {
  const { nodeID, database, url, bus, onError } = options;
  if (database.dialect !== "postgres" || !url) return { nodeID, signals: new LocalSignals(nodeID), close: async () => {} };
  // Loaded here: a server on SQLite never needs them or the PostgreSQL client (about 50 ms of startup).
  const [{ EVENTS_CHANNEL, PgEventRelay }, { PgListener }, { PgSignals, SIGNALS_CHANNEL }] = await Promise.all([
    import("./pg-event-relay.js"),
    import("./pg-listener.js"),
    import("./pg-signals.js"),
  ]);
  const listener = new PgListener(url, [EVENTS_CHANNEL, SIGNALS_CHANNEL, V2_LOG_CHANNEL], onError);
  const signals = new PgSignals(nodeID, database.db, listener, onError);
  const relay = new PgEventRelay({ nodeID, db: database.db, bus, listener, onError });
  // The relay's writes must outlive the store's close: it holds a share of the database.
  const shared = database.share();
  try {
    await listener.start();
    await relay.start();
  } catch (error) {
    await relay.close();
    await listener.close();
    await shared.close();
    throw error;
  }
  return {
    nodeID,
    signals,
    listener,
    async close() {
      await relay.close();
      signals.close();
      await listener.close();
      await shared.close();
    },
  };
}
