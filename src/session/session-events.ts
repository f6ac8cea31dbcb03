// Publishing session events the way upstream does: persisted first, then published on the
// session's directory, with the sync twin (and its per-session sequence number) for durable ones.
import type { Session } from "../../generated/schemas.js";
import type { EventBus, EventProperties, EventType } from "../bus/event-bus.js";
import type { Store } from "../storage/store.js";

/** Event types that upstream's global stream follows with a `sync` twin. */
const DURABLE = new Set([
  "session.created",
  "session.updated",
  "session.deleted",
  "message.updated",
  "message.removed",
  "message.part.updated",
  "message.part.removed",
]);

export class SessionEvents {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
  ) {}

  /** Publishes after the change is stored. `seq` is taken in advance when the session is about to be deleted. */
  async publish<T extends EventType>(session: Session, type: T, properties: EventProperties<T>, seq?: number): Promise<void> {
    const scope = { directory: session.directory, project: session.projectID };
    const durable = DURABLE.has(type) ? { aggregateID: session.id, seq: seq ?? (await this.nextSeq(session.id)) } : undefined;
    this.bus.publish(scope, type, properties, durable);
  }

  nextSeq(sessionID: string): Promise<number> {
    return this.store.nextEventSeq(sessionID);
  }

  /**
   * Publishes durable events of one session at once, after their changes are stored: their
   * numbers are taken together and they go out in one go, so nothing else of the session (a
   * running turn's deltas) comes between them, however long the database took.
   */
  async publishTogether(session: Session, events: { [T in EventType]: { type: T; properties: EventProperties<T> } }[EventType][]): Promise<void> {
    const first = await this.store.nextEventSeq(session.id, events.length);
    const scope = { directory: session.directory, project: session.projectID };
    events.forEach(({ type, properties }, i) => {
      if (!DURABLE.has(type)) throw new Error(`${type} is not a durable event`);
      this.bus.publish(scope, type, properties, { aggregateID: session.id, seq: first + i });
    });
  }
}
