// The in-process event bus. Domain code publishes an event for a directory; /event streams
// subscribe to one directory, /global/event to all. Later a Redis or NATS bus can implement the
// same interface to fan out across servers.
import { createId } from "../id.js";

export interface BusEvent {
  id: string;
  type: string;
  properties: Record<string, unknown>;
}

/** A published event with where it happened: the frame /global/event sends. */
export interface ScopedEvent {
  directory: string;
  project?: string;
  workspace?: string;
  payload: BusEvent;
}

export type EventCheck = (event: ScopedEvent) => void;
type Listener = (event: ScopedEvent) => void;

export class EventBus {
  private readonly listeners = new Set<{ directory: string | null; listener: Listener }>();

  /** `check` runs once per event before anyone sees it (contract validation in tests). */
  constructor(private readonly check: EventCheck = () => {}) {}

  publish(
    scope: { directory: string; project?: string; workspace?: string },
    type: string,
    properties: Record<string, unknown>,
  ): ScopedEvent {
    const event: ScopedEvent = { ...scope, payload: { id: createId("evt"), type, properties } };
    this.check(event);
    for (const { directory, listener } of [...this.listeners]) {
      if (directory === null || directory === event.directory) listener(event);
    }
    return event;
  }

  /** Listen to the events of one directory, or of all directories with `null`. */
  subscribe(directory: string | null, listener: Listener): () => void {
    const entry = { directory, listener };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
