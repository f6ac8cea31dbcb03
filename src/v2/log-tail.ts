// On PostgreSQL, what the v2 session log's live subscribers hear: the shared table read in order
// of position, whoever appended the rows (this node or another of the pool). One reader per node,
// so every row reaches the subscribers once and in position order, which is what makes a stream's
// cursor (its last position) safe to resume from on any node. It reads when this node appended
// (without a read when the rows directly follow the last one delivered), when another node's
// append is NOTIFYed, and after the listening connection came back (NOTIFYs may have been lost).
import type { EventRow, SessionEventStore } from "./session-event-store.js";

const PAGE = 1_000;

export class LogTail {
  /** The last position delivered. */
  private position = 0;
  /** Reads and deliveries, one after another. */
  private reading: Promise<void>;
  /** A read is queued and has not started: another request needs no second one. */
  private queued = false;
  private stopped = false;

  constructor(
    private readonly store: Pick<SessionEventStore, "since" | "lastPosition">,
    private readonly deliver: (row: EventRow) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    // What is in the table now was logged before this node listened: live starts after it.
    this.reading = store.lastPosition().then(
      (last) => void (this.position = last),
      (error) => this.onError(error),
    );
  }

  /** Rows this node just appended (committed, in position order). */
  appended(rows: EventRow[]): void {
    if (!rows.length) return;
    this.then(() => {
      // Appends hold a lock across the pool: nothing can commit between the last delivered
      // position and the first of these rows when they are adjacent.
      if (rows[0]!.position === this.position + 1) {
        for (const row of rows) this.emit(row);
        return;
      }
      return this.read();
    });
  }

  /** A NOTIFY of an append (its payload: the last position): read unless delivered already. */
  notified(payload: string): void {
    const last = Number(payload);
    if (Number.isFinite(last) && last > 0 && last <= this.position) return;
    this.poll();
  }

  /** Reads whatever is new. */
  poll(): void {
    if (this.queued) return;
    this.queued = true;
    this.then(() => {
      this.queued = false;
      return this.read();
    });
  }

  /** Stops delivering; answers once the read under way is done. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.reading;
  }

  private then(work: () => void | Promise<void>): void {
    this.reading = this.reading.then(work).catch((error: unknown) => this.onError(error));
  }

  private async read(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const rows = await this.store.since(this.position, PAGE);
      for (const row of rows) this.emit(row);
      if (rows.length < PAGE) return;
    }
  }

  private emit(row: EventRow): void {
    if (this.stopped || row.position <= this.position) return;
    this.position = row.position;
    this.deliver(row);
  }
}
