// The in-process event bus. Domain code publishes an event for a directory; /event streams
// subscribe to one directory, /global/event to all. In a pool of nodes on PostgreSQL the events
// other nodes published arrive through `deliverRemote` (src/cluster/pg-event-relay.ts), and only
// listeners that asked for them with `{remote: true}` (the client streams) hear them: services
// that react to events (logs, language servers, plugins) already did on the publishing node.
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

/** How a listener listens. */
export interface ListenOptions {
  /** A service of this server, not a stream: not counted as a subscriber. */
  internal?: boolean;
  /** A client stream: hears the events other nodes of the pool published too. */
  remote?: boolean;
}

export class EventBus {
  private readonly directoryListeners = new Set<{ directory: string; listener: (event: ScopedEvent) => void; remote: boolean }>();
  private readonly globalListeners = new Set<(frame: GlobalFrame) => void>();
  /** The global listeners that asked for other nodes' events. */
  private readonly remoteGlobalListeners = new Set<(frame: GlobalFrame) => void>();
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

  /**
   * An event another node of the pool published (its frame as /global/event carried it there),
   * for the `remote` listeners only. Not checked again: the publishing node checked it.
   */
  deliverRemote(frame: GlobalFrame): void {
    if (frame.payload.type !== "sync") {
      const event = frame as ScopedEvent;
      for (const { directory, listener, remote } of [...this.directoryListeners])
        if (remote && directory === event.directory) listener(event);
    }
    for (const listener of [...this.remoteGlobalListeners]) listener(frame);
  }

  /** Listen to the events of one directory (`remote`: those of the pool's other nodes too). */
  subscribe(directory: string, listener: (event: ScopedEvent) => void, options: Pick<ListenOptions, "remote"> = {}): () => void {
    const entry = { directory, listener, remote: options.remote === true };
    this.directoryListeners.add(entry);
    return () => this.directoryListeners.delete(entry);
  }

  /**
   * Listen to every directory's events and the sync twins. `internal` listeners (services of
   * this server, such as the sync log) are not counted as subscribers; `remote` ones (streams)
   * hear the pool's other nodes too.
   */
  subscribeAll(listener: (frame: GlobalFrame) => void, options: ListenOptions = {}): () => void {
    this.globalListeners.add(listener);
    if (options.internal) this.internalListeners++;
    if (options.remote) this.remoteGlobalListeners.add(listener);
    return () => {
      this.remoteGlobalListeners.delete(listener);
      if (this.globalListeners.delete(listener) && options.internal) this.internalListeners--;
    };
  }

  /** How many streams listen (internal listeners left out). */
  get subscriberCount(): number {
    return this.directoryListeners.size + this.globalListeners.size - this.internalListeners;
  }
}
