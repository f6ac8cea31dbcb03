// The in-process event bus. Domain code publishes an event for a directory; /event streams
// subscribe to one directory, /global/event to all. Later a Redis or NATS bus can implement the
// same interface to fan out across servers.
import type { Event } from "../../generated/schemas.js";
import { createId } from "../id.js";

/** The name of an event the spec declares (its `Event` union). */
export type EventType = Event["type"];
/** The properties the spec declares for that event. */
export type EventProperties<T extends EventType> = Extract<Event, { type: T }>["properties"];
/**
 * Publishes one event of the spec's union somewhere (a directory, a session): a typo in its name
 * or a property fails to compile; the run-time check against the spec stays as a backstop.
 */
export type PublishTo<Where> = <T extends EventType>(where: Where, type: T, properties: EventProperties<T>) => void;
export type PublishToAsync<Where> = <T extends EventType>(where: Where, type: T, properties: EventProperties<T>) => Promise<void>;

export interface BusEvent {
  id: string;
  type: string;
  properties: Record<string, unknown>;
}

/** The twin of a durable event that /global/event carries right after it (upstream's sync feed). */
export interface SyncEnvelope {
  type: "sync";
  syncEvent: { id: string; type: string; seq: number; aggregateID: string; data: Record<string, unknown> };
  id: string;
}

export interface EventScope {
  directory: string;
  project?: string;
  workspace?: string;
}

/** A published event with where it happened. */
export interface ScopedEvent extends EventScope {
  payload: BusEvent;
}

/** What /global/event sends: every scoped event, and the sync twins of durable ones. */
export interface GlobalFrame extends EventScope {
  payload: BusEvent | SyncEnvelope;
}

export type EventCheck = (event: ScopedEvent) => void;

/** A durable event belongs to an aggregate (a session) and has its place in that one's sequence. */
export interface Durable {
  aggregateID: string;
  seq: number;
}

export class EventBus {
  private readonly directoryListeners = new Set<{ directory: string; listener: (event: ScopedEvent) => void }>();
  private readonly globalListeners = new Set<(frame: GlobalFrame) => void>();
  private internalListeners = 0;

  /** `check` runs once per event before anyone sees it (contract validation in tests). */
  constructor(private readonly check: EventCheck = () => {}) {}

  publish<T extends EventType>(scope: EventScope, type: T, properties: EventProperties<T>, durable?: Durable): ScopedEvent {
    const event: ScopedEvent = { ...scope, payload: { id: createId("evt"), type, properties: properties as Record<string, unknown> } };
    this.check(event);
    for (const { directory, listener } of [...this.directoryListeners]) if (directory === event.directory) listener(event);
    for (const listener of [...this.globalListeners]) listener(event);
    if (durable) {
      const { id } = event.payload;
      const twin: GlobalFrame = {
        ...scope,
        payload: {
          type: "sync",
          syncEvent: { id, type: `${type}.1`, seq: durable.seq, aggregateID: durable.aggregateID, data: properties },
          id,
        },
      };
      for (const listener of [...this.globalListeners]) listener(twin);
    }
    return event;
  }

  /** Listen to the events of one directory. */
  subscribe(directory: string, listener: (event: ScopedEvent) => void): () => void {
    const entry = { directory, listener };
    this.directoryListeners.add(entry);
    return () => this.directoryListeners.delete(entry);
  }

  /**
   * Listen to every directory's events and the sync twins. `internal` listeners (services of
   * this server, such as the sync log) are not counted as subscribers.
   */
  subscribeAll(listener: (frame: GlobalFrame) => void, options: { internal?: boolean } = {}): () => void {
    this.globalListeners.add(listener);
    if (options.internal) this.internalListeners++;
    return () => {
      if (this.globalListeners.delete(listener) && options.internal) this.internalListeners--;
    };
  }

  /** How many streams listen (internal listeners left out). */
  get subscriberCount(): number {
    return this.directoryListeners.size + this.globalListeners.size - this.internalListeners;
  }
}
