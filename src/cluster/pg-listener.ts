// The one PostgreSQL connection a node LISTENs on, for the event relay and the cluster signals
// alike (one channel each). A pooled connection cannot LISTEN (it goes back to the pool), so this
// one is a dedicated client. When it drops (the server restarted, a network cut) it is replaced,
// with growing waits, and the `reconnected` handlers run: what was NOTIFYed meanwhile is lost,
// and they catch up from the tables.
import pg from "pg";

/** Its application_name in pg_stat_activity (tests find the connection by it to cut it). */
export const LISTENER_APPLICATION = "agentpool-listen";

export class PgListener {
  private client: pg.Client | undefined;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly channels: readonly string[],
    private readonly onError: (error: unknown, message: string) => void,
  ) {}

  /** Connects and listens; rejects when the first connection fails (the server cannot start without it). */
  start(): Promise<void> {
    return this.connect();
  }

  /** Calls `handler` with each notification's payload on `channel` (one of the channels given). */
  on(channel: string, handler: (payload: string) => void): () => void {
    const set = this.handlers.get(channel) ?? new Set();
    this.handlers.set(channel, set);
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Calls `handler` each time the connection is back after it dropped. */
  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: LISTENER_APPLICATION,
      // An idle connection whose peer vanished (a network cut) is noticed, not listened on forever.
      keepAlive: true,
    });
    // Errors while connecting reject connect() below; only those of a live connection are a drop.
    let live = false;
    const drop = (error?: unknown) => {
      if (!live) return;
      live = false;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.onError(error ?? new Error("connection ended"), "event listener connection lost; reconnecting");
      this.reconnect(0);
    };
    client.on("error", drop);
    client.on("end", () => drop());
    client.on("notification", ({ channel, payload }) => {
      for (const handler of [...(this.handlers.get(channel) ?? [])]) handler(payload ?? "");
    });
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    live = true;
    this.client = client;
  }

  private reconnect(attempt: number): void {
    const delay = Math.min(5_000, 100 * 2 ** attempt);
    this.retry = setTimeout(() => {
      this.connect().then(
        () => {
          if (this.closed) return;
          for (const handler of [...this.reconnectHandlers]) handler();
        },
        (error: unknown) => {
          if (this.closed) return;
          this.onError(error, "event listener could not reconnect; trying again");
          this.reconnect(attempt + 1);
        },
      );
    }, delay);
    this.retry.unref();
  }
}
