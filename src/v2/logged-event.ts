// A session.next.* event as the v2 session log serves it: the v2 envelope, and its place in the log.
import type { EventRow, MaybePromise } from "./session-event-store.js";

/** One session.next.* event in the v2 envelope. */
export interface SessionNextEvent {
  id: string;
  type: string;
  durable?: { aggregateID: string; seq: number; version: number };
  location: { directory: string };
  data: Record<string, unknown>;
}

/** A logged event and its place in the whole log. */
export interface LoggedEvent {
  position: number;
  sessionID: string;
  event: SessionNextEvent;
}

/**
 * Goes on with a value now, or once its promise settles (the SQLite store answers plain values).
 * Not named `then`: a module that exports `then` is a thenable, and `import()` of it never settles right.
 */
export function andThen<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

export function frame(
  id: string,
  type: string,
  sessionID: string,
  seq: number | null,
  directory: string,
  data: Record<string, unknown>,
): SessionNextEvent {
  return {
    id,
    type,
    ...(seq !== null ? { durable: { aggregateID: sessionID, seq, version: 1 } } : {}),
    location: { directory },
    data,
  };
}

export function toEvent(row: EventRow): LoggedEvent {
  return {
    position: row.position,
    sessionID: row.session_id,
    event: frame(row.id, row.type, row.session_id, row.seq, row.directory, JSON.parse(row.data) as Record<string, unknown>),
  };
}
