// The v2 event streams with the durable session log (src/v2/durable-log.ts) behind them:
// /api/event carries every directory's events in the v2 envelope and the logged session.next.*
// events (deltas included) as they are logged; /api/session/{id}/event replays the session's
// durable events after a seq, then goes on live, with the seq as SSE id (upstream's frames).
// Both resume from `Last-Event-ID` (what EventSource and the SDKs send on reconnect) or `?after=`:
// exactly the events after it, no duplicates. /api/event frames are upstream's (data only) unless
// the client asks to resume (`?after=`, 0 for "from now", or the header): then the logged events
// carry their log position as SSE id, so a reconnect resumes by itself.
import { createId } from "../id.js";
import type { BusEvent } from "../bus/event-bus.js";
import type { RequestContext } from "./context.js";
import { openEventStream } from "./sse.js";
import type { LoggedEvent } from "../v2/durable-log.js";

/** Where a client resumes: the Last-Event-ID header first (a reconnect), then `?after=`; undefined when it asks for neither. */
export function resumeCursor(ctx: RequestContext, after: unknown): number | undefined {
  const header = ctx.req.headers["last-event-id"];
  const value = (Array.isArray(header) ? header[0] : header) ?? (typeof after === "string" ? after : undefined);
  if (value === undefined) return undefined;
  const cursor = Number(value);
  return Number.isInteger(cursor) && cursor > 0 ? cursor : 0;
}

/** Each published event's /api/event frame (null: not a V2Event), shared by all its streams. */
const v2Frames = new WeakMap<object, object | null>();

function toV2(event: BusEvent, directory?: string) {
  return {
    id: event.id,
    type: event.type,
    ...(directory && directory !== "global" ? { location: { directory } } : {}),
    data: event.properties,
  };
}

/** /api/event: bus events in the v2 envelope, and the session log's events with their position as id. */
export async function streamV2Live(ctx: RequestContext, after: number | undefined): Promise<void> {
  const { bus, config, schemas, sessionLog } = ctx.services;
  const stream = openEventStream(ctx.res, { name: "/api/event", log: ctx.log, heartbeat: () => null, heartbeatMs: config.heartbeatMs });
  // Positions only grow on a stream: the replay and the live events meet without a gap or a twin.
  let last = after ?? 0;
  // An SSE frame with an id and no event name (EventSource delivers it to onmessage like the others).
  const sendLogged = (logged: LoggedEvent) => {
    if (logged.position <= last) return;
    last = logged.position;
    if (after === undefined) stream.send(logged.event);
    else stream.sendFields({ id: String(logged.position), data: logged.event });
  };
  stream.send(toV2({ id: createId("evt"), type: "server.connected", properties: {} }));
  // Subscribed before the replay is read: what is logged meanwhile waits for the replay's end.
  const pending: LoggedEvent[] = [];
  let replaying = after !== undefined && after > 0;
  const stopLog = sessionLog.subscribe((logged) => (replaying ? pending.push(logged) : sendLogged(logged)));
  // `remote`: the pool's other nodes' bus events too (session.next.* come from the shared log above).
  const stopBus = bus.subscribeAll(
    (scoped) => {
      if (scoped.payload.type === "sync") return;
      // Built and checked once per event for every /api/event client (and serialized once by send).
      let frame = v2Frames.get(scoped);
      if (frame === undefined) {
        const built = toV2(scoped.payload as BusEvent, scoped.directory);
        frame = schemas.check("V2Event", built) ? null : built;
        v2Frames.set(scoped, frame);
      }
      if (frame) stream.send(frame);
    },
    { remote: true },
  );
  if (replaying) {
    try {
      for (const logged of await sessionLog.since(after!)) sendLogged(logged);
    } catch (error) {
      ctx.log.error({ err: error }, "could not replay the v2 session log");
    }
    replaying = false;
    for (const logged of pending.splice(0)) sendLogged(logged);
  }
  await stream.closed;
  stopBus();
  stopLog();
}

/** /api/session/{id}/event: the session's durable events after `after`, then each one as it is logged. */
export async function streamSessionLive(ctx: RequestContext, session: { id: string; directory: string }, after = 0): Promise<void> {
  const { config, sessionLog } = ctx.services;
  const stream = openEventStream(ctx.res, {
    name: `/api/session/${session.id}/event`,
    log: ctx.log,
    heartbeat: () => null,
    heartbeatMs: config.heartbeatMs,
  });
  let sent = after;
  const send = (event: { type: string; durable?: { seq: number } }) => {
    const seq = event.durable?.seq;
    if (seq === undefined || seq <= sent) return;
    stream.sendFields({ id: String(seq), event: event.type, data: event });
    sent = seq;
  };
  const pending: LoggedEvent[] = [];
  let replaying = true;
  const stop = sessionLog.subscribe((logged) => {
    if (logged.sessionID !== session.id) return;
    if (replaying) pending.push(logged);
    else send(logged.event);
  });
  // A session recorded before the log existed is replayed from its messages (asynchronously:
  // what is logged meanwhile waits, and only what comes after the replay is sent).
  for (const event of await sessionLog.history(session, after)) send(event);
  replaying = false;
  for (const logged of pending.splice(0)) send(logged.event);
  await stream.closed;
  stop();
}
