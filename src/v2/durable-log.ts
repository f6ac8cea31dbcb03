// The durable log of upstream's new-engine events (session.next.*), written as they happen: the
// prompt service reports admitted and prompted inputs, and the turns' own events on the bus
// (message.updated, message.part.updated, message.part.delta) become step, text, reasoning and
// tool events the moment they are published. Each row has a position in the whole log (the
// cursor of /api/event) and, for the durable types the session stream serves, a per-session seq
// (the cursor of /api/session/{id}/event and the history). Deltas are logged with a position and
// no seq: upstream's durable session stream does not carry them, /api/event does; they are kept
// only for live streams and their resumes, and pruned after minutes.
//
// Storage: the table v2_session_event of the store's database (./session-event-store.ts).
// - SQLite: synchronous, so a bus event is logged (and its session.next.* events delivered to the
//   streams) before the next one is published.
// - PostgreSQL, shared by the nodes of a pool: this node projects only the events its own bus
//   publishes (its services hear no other node's), writing in publishing order one after another;
//   what its streams hear live is the shared table read in position order (./log-tail.ts), so a
//   session that runs on node A streams on node B too, and positions resume on any node.
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { SessionDurableEvent } from "../../generated/schemas.js";
import type { EventBus, GlobalFrame } from "../bus/event-bus.js";
import { busProjection } from "./bus-projection.js";
import { createId } from "../id.js";
import type { InputEvent, InputListener } from "../session/prompt-inputs.js";
import type { Database } from "../storage/database.js";
import type { Store } from "../storage/store.js";
import { LogTail } from "./log-tail.js";
import { sessionEventStore, V2_LOG_CHANNEL, type MaybePromise, type NewEvent, type SessionEventStore } from "./session-event-store.js";
import { sessionHistory } from "./session-history.js";
import { promptOf } from "./session-shapes.js";
import { TurnProjection, type ProjectionTarget } from "./turn-projection.js";
import { andThen, frame, toEvent, type LoggedEvent, type SessionNextEvent } from "./logged-event.js";

export type { LoggedEvent, SessionNextEvent } from "./logged-event.js";

/** Logged without a per-session seq: the durable session stream (SessionDurableEvent) has no such types. */
const EPHEMERAL = new Set(["session.next.text.delta", "session.next.reasoning.delta", "session.next.tool.input.delta"]);

/** The pool's LISTEN connection (cluster/pg-listener.ts), on PostgreSQL. */
export interface LogNotifications {
  on(channel: string, handler: (payload: string) => void): () => void;
  onReconnect(handler: () => void): () => void;
}

export interface SessionEventLogDeps {
  store: Pick<Store, "listMessages">;
  prompts?: { observeInputs(listener: InputListener): () => void };
  /** Checks each event against the served spec before it is logged (throws "... breaks the spec" in contract mode). */
  check?: (event: SessionNextEvent) => void;
  log?: Pick<Logger, "error">;
  /** On PostgreSQL: where the other nodes' appends are announced. */
  notifications?: LogNotifications;
  /** How long deltas are kept (10 min), and how often they are pruned (1 min). */
  deltaRetentionMs?: number;
  pruneEveryMs?: number;
}

export class SessionEventLog {
  private readonly store: SessionEventStore;
  private readonly live = new EventEmitter();
  private readonly stops: (() => void)[] = [];
  /** PostgreSQL: this node's writes, in the order their events were published. */
  private writes: Promise<void> = Promise.resolve();
  private readonly tail: LogTail | undefined;
  private readonly pruner: NodeJS.Timeout;
  /** Whether a part's deltas are text or reasoning, once known: a delta then costs no read. */
  private readonly deltaKinds = new Map<string, "text" | "reasoning">();

  /** Takes a share of the database (released by close). */
  constructor(
    private readonly database: Database,
    bus: Pick<EventBus, "subscribeAll">,
    private readonly deps: SessionEventLogDeps,
  ) {
    this.store = sessionEventStore(database);
    this.live.setMaxListeners(0);
    if (!this.store.sync) {
      this.tail = new LogTail(
        this.store,
        (row) => this.live.emit("event", toEvent(row)),
        (err) => this.error(err, "could not read the v2 session log"),
      );
      const { notifications } = deps;
      if (notifications)
        this.stops.push(
          notifications.on(V2_LOG_CHANNEL, (payload) => this.tail!.notified(payload)),
          notifications.onReconnect(() => this.tail!.poll()),
        );
    }
    this.stops.push(bus.subscribeAll((frame) => this.project(frame), { internal: true }));
    if (deps.prompts) this.stops.push(deps.prompts.observeInputs((input) => this.input(input)));
    const retention = deps.deltaRetentionMs ?? 10 * 60_000;
    this.pruner = setInterval(() => void this.pruneDeltas(Date.now() - retention), deps.pruneEveryMs ?? 60_000);
    this.pruner.unref();
  }

  // ---- reading (after this node's own writes) ----

  /** Whether the session has events in the log (sessions recorded before it existed have none). */
  async has(sessionID: string): Promise<boolean> {
    await this.writes;
    return this.store.has(sessionID);
  }

  /** The session's durable events after a seq, in order. */
  async durableEvents(sessionID: string, after = 0): Promise<SessionDurableEvent[]> {
    await this.writes;
    return (await this.store.bySession(sessionID, after)).map((row) => toEvent(row).event as unknown as SessionDurableEvent);
  }

  /**
   * The session's durable history after a seq: from the log, or derived from the stored messages
   * for a session recorded before the log existed.
   */
  async history(session: { id: string; directory: string }, after = 0): Promise<SessionDurableEvent[]> {
    if (await this.has(session.id)) return this.durableEvents(session.id, after);
    return sessionHistory(session.id, session.directory, await this.deps.store.listMessages(session.id)).filter(
      (e) => e.durable!.seq > after,
    );
  }

  /** Every logged event after a position of the whole log (all sessions, deltas included). */
  async since(position: number): Promise<LoggedEvent[]> {
    await this.writes;
    return (await this.store.since(position)).map(toEvent);
  }

  /** The last position of the whole log (0 when empty). */
  async lastPosition(): Promise<number> {
    await this.writes;
    return this.store.lastPosition();
  }

  /** The seq of a session's event about something (a message, part or call), if logged. */
  async seqOf(sessionID: string, type: string, ref: string): Promise<number | undefined> {
    await this.writes;
    return this.store.seqOf(sessionID, type, ref);
  }

  /**
   * Calls `listener` with each event as it is logged, in order of position: on PostgreSQL the
   * events every node of the pool logs. Returns the unsubscribe.
   */
  subscribe(listener: (logged: LoggedEvent) => void): () => void {
    this.live.on("event", listener);
    return () => this.live.off("event", listener);
  }

  /** Deletes the deltas logged before `before` (ms); the durable events stay. */
  async pruneDeltas(before: number): Promise<number> {
    return this.store.pruneDeltas(before).catch((err: unknown) => (this.error(err, "could not prune the v2 session log"), 0));
  }

  /** Stops logging, finishes the writes under way, and lets go of the database. */
  async close(): Promise<void> {
    for (const stop of this.stops.splice(0)) stop();
    clearInterval(this.pruner);
    await this.writes;
    await this.tail?.stop();
    await this.database.close();
  }

  // ---- writing ----

  /** Runs a write: now on SQLite (its errors reach the publisher), after the earlier ones on PostgreSQL. */
  private write(work: () => MaybePromise<void>, sessionID: string): Promise<void> {
    if (this.store.sync) return Promise.resolve(work());
    this.writes = this.writes
      .then(work)
      .catch((err: unknown) => this.error(err, "the v2 session log could not record an event", sessionID));
    return this.writes;
  }

  /** Checks and appends the events, then hands them to the live subscribers. */
  private append(events: NewEvent[]): MaybePromise<void> {
    if (!events.length) return;
    for (const event of events)
      // The seq is the database's to give; any number stands for it in the check.
      this.deps.check?.(frame(event.id, event.type, event.sessionID, event.durable ? 1 : null, event.directory, event.data));
    return andThen(this.store.append(events), (rows) => {
      if (this.tail) this.tail.appended(rows);
      else for (const row of rows) this.live.emit("event", toEvent(row));
    });
  }

  /** The events a projection step would log, given what the session already has about its refs. */
  private plan(sessionID: string, directory: string, known: Set<string>, step: (target: ProjectionTarget) => void): NewEvent[] {
    const events: NewEvent[] = [];
    const add = (type: string, data: Record<string, unknown>, ref?: string) =>
      events.push({ sessionID, id: createId("evt"), type, durable: !EPHEMERAL.has(type), ref, directory, data });
    step({
      has: (_s, ref, type) => known.has(`${type} ${ref}`),
      once: (_s, _d, type, ref, data) => {
        if (known.has(`${type} ${ref}`)) return;
        known.add(`${type} ${ref}`);
        add(type, data(), ref);
      },
      append: (_s, _d, type, data) => add(type, data),
    });
    return events;
  }

  /** Runs a projection step against the session's events about `refs`, and appends what it logs. */
  private projectRefs(sessionID: string, directory: string, refs: string[], step: (target: ProjectionTarget) => void): MaybePromise<void> {
    return andThen(this.store.known(sessionID, refs), (known) => this.append(this.plan(sessionID, directory, known, step)));
  }

  /** The turns' events on the bus, as session.next.* events, logged as they are published. */
  private project(frame: GlobalFrame): void {
    const projection = busProjection(frame);
    if (!projection) return;
    const { sessionID } = projection;
    if (projection.kind === "deleted") {
      for (const key of this.deltaKinds.keys()) if (key.startsWith(`${sessionID} `)) this.deltaKinds.delete(key);
      void this.write(() => this.store.deleteSession(sessionID), sessionID);
      return;
    }
    const { directory, refs, step, delta } = projection;
    const turns = (target: ProjectionTarget) => step(new TurnProjection(target));
    const deltaKey = delta && `${sessionID} ${delta.partID}`;
    const kind = deltaKey && this.deltaKinds.get(deltaKey);
    try {
      void this.write(() => {
        // A part's deltas: its kind is known after the first, so the rest are appended without a read.
        if (kind) return this.append(this.plan(sessionID, directory, new Set([`session.next.${kind}.started ${delta!.partID}`]), turns));
        return andThen(this.store.known(sessionID, refs), (known) => {
          if (deltaKey) this.rememberDeltaKind(deltaKey, delta!.partID, known);
          return this.append(this.plan(sessionID, directory, known, turns));
        });
      }, sessionID);
    } catch (error) {
      // A broken contract fails the publisher in tests (as the bus's own check does); anything else is logged.
      if (error instanceof Error && /breaks the spec/.test(error.message)) throw error;
      this.error(error, "the v2 session log could not record an event", sessionID);
    }
  }

  private rememberDeltaKind(key: string, partID: string, known: Set<string>): void {
    const kind = known.has(`session.next.text.started ${partID}`)
      ? "text"
      : known.has(`session.next.reasoning.started ${partID}`)
        ? "reasoning"
        : undefined;
    if (!kind) return;
    // Bounded: parts come and go; forgetting one costs one read.
    if (this.deltaKinds.size >= 10_000) this.deltaKinds.clear();
    this.deltaKinds.set(key, kind);
  }

  /** A session recorded before the log existed starts its log with the history derived from its messages. */
  private async seed(sessionID: string, directory: string, before: string): Promise<void> {
    if (await this.store.has(sessionID)) return;
    const messages = (await this.deps.store.listMessages(sessionID)).filter((m) => m.info.id < before);
    if (!messages.length) return;
    const events = sessionHistory(sessionID, directory, messages).map((e) => ({
      id: e.id,
      type: e.type,
      seq: e.durable!.seq,
      directory,
      data: e.data,
    }));
    await this.store.seed(sessionID, events);
  }

  private input({ type, user, delivery, directory }: InputEvent): Promise<void> {
    const { info, parts } = user;
    const eventType = type === "admitted" ? "session.next.prompt.admitted" : "session.next.prompted";
    return this.write(async () => {
      if (type === "admitted") await this.seed(info.sessionID, directory, info.id);
      await this.projectRefs(info.sessionID, directory, [info.id], (target) =>
        target.once(info.sessionID, directory, eventType, info.id, () => ({
          // Upstream's prompted event repeats the input's admission time.
          timestamp: info.time.created,
          sessionID: info.sessionID,
          messageID: info.id,
          prompt: promptOf(parts),
          delivery,
        })),
      );
    }, info.sessionID);
  }

  private error(err: unknown, message: string, sessionID?: string): void {
    this.deps.log?.error({ err, ...(sessionID ? { sessionID } : {}) }, message);
  }
}
