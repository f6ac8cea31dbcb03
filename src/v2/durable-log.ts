// The durable log of upstream's new-engine events (session.next.*), written as they happen: the
// prompt service reports admitted and prompted inputs, and the turns' own events on the bus
// (message.updated, message.part.updated, message.part.delta) become step, text, reasoning and
// tool events the moment they are published. Each row has a position in the whole log (the
// cursor of /api/event) and, for the durable types the session stream serves, a per-session seq
// (the cursor of /api/session/{id}/event and the history). Deltas are logged with a position and
// no seq: upstream's durable session stream does not carry them, /api/event does.
//
// Storage: a table of its own, `v2_session_event`, in the server's SQLite file, through its own
// better-sqlite3 connection (synchronous, so a bus event is logged before the next one is published).
// What the Store would have to offer to hold it instead: append(row) -> {position, seq} in one
// transaction (seq = the session's last seq + 1 for durable types), exists(session, type, ref),
// read(session, afterSeq), read(afterPosition), deleteSession(session).
import { TurnProjection } from "./turn-projection.js";
import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Logger } from "pino";
import type { Message, Part, SessionDurableEvent } from "../../generated/schemas.js";
import type { EventBus, GlobalFrame } from "../bus/event-bus.js";
import { createId } from "../id.js";
import type { InputEvent, InputListener } from "../session/prompt-inputs.js";
import type { Store } from "../storage/store.js";
import { sessionHistory } from "./session-history.js";
import { promptOf } from "./session-shapes.js";

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

/** Logged without a per-session seq: the durable session stream (SessionDurableEvent) has no such types. */
const EPHEMERAL = new Set(["session.next.text.delta", "session.next.reasoning.delta", "session.next.tool.input.delta"]);

interface Row {
  position: number;
  session_id: string;
  seq: number | null;
  id: string;
  type: string;
  directory: string;
  data: string;
}

export interface SessionEventLogDeps {
  store: Pick<Store, "listMessages">;
  prompts?: { observeInputs(listener: InputListener): () => void };
  /** Checks each event against the served spec before it is logged (throws "... breaks the spec" in contract mode). */
  check?: (event: SessionNextEvent) => void;
  log?: Pick<Logger, "error">;
}

export class SessionEventLog {
  private readonly db: Database.Database;
  private readonly live = new EventEmitter();
  private readonly stops: (() => void)[] = [];
  private readonly statements;
  private readonly projection = new TurnProjection({
    has: (sessionID, ref, type) => this.hasRef(sessionID, ref, type),
    once: (sessionID, directory, type, ref, data) => this.once(sessionID, directory, type, ref, data),
    append: (sessionID, directory, type, data) => void this.append(sessionID, directory, type, data),
  });

  constructor(
    file: string,
    bus: Pick<EventBus, "subscribeAll">,
    private readonly deps: SessionEventLogDeps,
  ) {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS v2_session_event (
         position INTEGER PRIMARY KEY AUTOINCREMENT,
         session_id TEXT NOT NULL, seq INTEGER, id TEXT NOT NULL, type TEXT NOT NULL,
         ref TEXT, directory TEXT NOT NULL, data TEXT NOT NULL);
       CREATE UNIQUE INDEX IF NOT EXISTS v2_session_event_seq ON v2_session_event (session_id, seq);
       CREATE INDEX IF NOT EXISTS v2_session_event_ref ON v2_session_event (session_id, ref, type);`,
    );
    this.statements = {
      insert: this.db.prepare(
        "INSERT INTO v2_session_event (session_id, seq, id, type, ref, directory, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      lastSeq: this.db.prepare("SELECT MAX(seq) AS seq FROM v2_session_event WHERE session_id = ?"),
      exists: this.db.prepare("SELECT seq FROM v2_session_event WHERE session_id = ? AND ref = ? AND type = ? LIMIT 1"),
      any: this.db.prepare("SELECT 1 FROM v2_session_event WHERE session_id = ? LIMIT 1"),
      bySession: this.db.prepare("SELECT * FROM v2_session_event WHERE session_id = ? AND seq > ? ORDER BY seq"),
      since: this.db.prepare("SELECT * FROM v2_session_event WHERE position > ? ORDER BY position"),
      lastPosition: this.db.prepare("SELECT MAX(position) AS position FROM v2_session_event"),
      remove: this.db.prepare("DELETE FROM v2_session_event WHERE session_id = ?"),
    };
    this.live.setMaxListeners(0);
    this.stops.push(bus.subscribeAll((frame) => this.project(frame), { internal: true }));
    if (deps.prompts) this.stops.push(deps.prompts.observeInputs((input) => this.input(input)));
  }

  // ---- reading ----

  /** Whether the session has events in the log (sessions recorded before it existed have none). */
  has(sessionID: string): boolean {
    return this.statements.any.get(sessionID) !== undefined;
  }

  /** The session's durable events after a seq, in order. */
  durableEvents(sessionID: string, after = 0): SessionDurableEvent[] {
    return (this.statements.bySession.all(sessionID, after) as Row[]).map((row) => toEvent(row).event as unknown as SessionDurableEvent);
  }

  /**
   * The session's durable history after a seq: from the log, or derived from the stored messages
   * for a session recorded before the log existed.
   */
  async history(session: { id: string; directory: string }, after = 0): Promise<SessionDurableEvent[]> {
    if (this.has(session.id)) return this.durableEvents(session.id, after);
    return sessionHistory(session.id, session.directory, await this.deps.store.listMessages(session.id)).filter(
      (e) => e.durable!.seq > after,
    );
  }

  /** Every logged event after a position of the whole log (all sessions, deltas included). */
  since(position: number): LoggedEvent[] {
    return (this.statements.since.all(position) as Row[]).map(toEvent);
  }

  /** The last position of the whole log (0 when empty). */
  lastPosition(): number {
    return (this.statements.lastPosition.get() as { position: number | null }).position ?? 0;
  }

  /** The seq of a session's event about something (a message, part or call), if logged. */
  seqOf(sessionID: string, type: string, ref: string): number | undefined {
    return (this.statements.exists.get(sessionID, ref, type) as { seq: number | null } | undefined)?.seq ?? undefined;
  }

  /** Calls `listener` with each event as it is logged; returns the unsubscribe. */
  subscribe(listener: (logged: LoggedEvent) => void): () => void {
    this.live.on("event", listener);
    return () => this.live.off("event", listener);
  }

  close(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.db.close();
  }

  // ---- writing ----

  private append(sessionID: string, directory: string, type: string, data: Record<string, unknown>, ref?: string): LoggedEvent {
    const durable = !EPHEMERAL.has(type);
    const id = createId("evt");
    let seq: number | null = null;
    let position = 0;
    const write = this.db.transaction(() => {
      if (durable) seq = ((this.statements.lastSeq.get(sessionID) as { seq: number | null }).seq ?? 0) + 1;
      const event = frame(id, type, sessionID, seq, directory, data);
      this.deps.check?.(event);
      position = Number(this.statements.insert.run(sessionID, seq, id, type, ref ?? null, directory, JSON.stringify(data)).lastInsertRowid);
      return event;
    });
    const logged = { position, sessionID, event: write() };
    logged.position = position;
    this.live.emit("event", logged);
    return logged;
  }

  /** Appends unless the session already has this type of event about `ref`. */
  private once(sessionID: string, directory: string, type: string, ref: string, data: () => Record<string, unknown>): void {
    if (this.statements.exists.get(sessionID, ref, type)) return;
    this.append(sessionID, directory, type, data(), ref);
  }

  /** A session recorded before the log existed starts its log with the history derived from its messages. */
  private async seed(sessionID: string, directory: string, before: string): Promise<void> {
    if (this.has(sessionID)) return;
    const messages = (await this.deps.store.listMessages(sessionID)).filter((m) => m.info.id < before);
    if (!messages.length || this.has(sessionID)) return;
    const seedAll = this.db.transaction(() => {
      for (const event of sessionHistory(sessionID, directory, messages))
        this.statements.insert.run(sessionID, event.durable!.seq, event.id, event.type, null, directory, JSON.stringify(event.data));
    });
    seedAll();
  }

  private async input({ type, user, delivery, directory }: InputEvent): Promise<void> {
    const { info, parts } = user;
    if (type === "admitted") await this.seed(info.sessionID, directory, info.id);
    const eventType = type === "admitted" ? "session.next.prompt.admitted" : "session.next.prompted";
    this.once(info.sessionID, directory, eventType, info.id, () => ({
      // Upstream's prompted event repeats the input's admission time.
      timestamp: info.time.created,
      sessionID: info.sessionID,
      messageID: info.id,
      prompt: promptOf(parts),
      delivery,
    }));
  }

  /** The turns' events on the bus, as session.next.* events, logged as they are published. */
  private project(frame: GlobalFrame): void {
    const payload = frame.payload;
    if (payload.type === "sync" || !("properties" in payload)) return;
    const properties = payload.properties as {
      sessionID?: string;
      info?: Message & { id: string };
      part?: Part;
      messageID?: string;
      partID?: string;
      delta?: string;
      field?: string;
    };
    const sessionID = properties.sessionID ?? (properties.info as { sessionID?: string } | undefined)?.sessionID;
    if (!sessionID) return;
    // Like the sync log, a deleted session's history goes with it.
    if (payload.type === "session.deleted") {
      this.statements.remove.run((properties.info as { id: string }).id);
      return;
    }
    const directory = frame.directory;
    try {
      const turns = this.projection;
      if (payload.type === "message.updated" && properties.info?.role === "assistant") turns.step(sessionID, directory, properties.info);
      else if (payload.type === "message.part.updated" && properties.part) turns.part(sessionID, directory, properties.part);
      else if (payload.type === "message.part.delta" && properties.partID && properties.delta && properties.field === "text")
        turns.delta(sessionID, directory, properties.messageID!, properties.partID, properties.delta);
    } catch (error) {
      // A broken contract fails the publisher in tests (as the bus's own check does); anything else is logged.
      if (error instanceof Error && /breaks the spec/.test(error.message)) throw error;
      this.deps.log?.error({ err: error, sessionID }, "the v2 session log could not record an event");
    }
  }

  /** Whether the session has this type of event about `ref`. */
  private hasRef(sessionID: string, ref: string, type: string): boolean {
    return this.statements.exists.get(sessionID, ref, type) !== undefined;
  }
}

function frame(
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

function toEvent(row: Row): LoggedEvent {
  return {
    position: row.position,
    sessionID: row.session_id,
    event: frame(row.id, row.type, row.session_id, row.seq, row.directory, JSON.parse(row.data) as Record<string, unknown>),
  };
}
