// The two event streams: /event carries the events of one directory as bare events, /global/event
// carries every directory's events wrapped as {directory, project, payload}. Both start with
// server.connected and send server.heartbeat every 10 s.
import { createId } from "../id.js";
import type { BusEvent } from "../bus/event-bus.js";
import type { RequestContext } from "./context.js";
import { legacyEvent } from "../legacy/python-sdk-shapes.js";
import { isLegacyClient } from "./legacy-client.js";
import { sessionHistory } from "../v2/session-history.js";
import { openEventStream } from "./sse.js";

function serverEvent(type: "server.connected" | "server.heartbeat"): BusEvent {
  return { id: createId("evt"), type, properties: {} };
}

export async function streamDirectoryEvents(ctx: RequestContext): Promise<void> {
  const { bus, config } = ctx.services;
  const stream = openEventStream(ctx.res, {
    name: `/event ${ctx.directory}`,
    log: ctx.log,
    heartbeat: () => serverEvent("server.heartbeat"),
    heartbeatMs: config.heartbeatMs,
  });
  stream.send(serverEvent("server.connected"));
  // The Python SDK reads message.updated in the old shape.
  const shape = isLegacyClient(ctx.req) ? legacyEvent : (event: BusEvent) => event;
  const unsubscribe = bus.subscribe(ctx.directory, (event) => stream.send(shape(event.payload)));
  await stream.closed;
  unsubscribe();
}

/** Each published event's /api/event frame (null: not a V2Event), shared by all its streams. */
const v2Frames = new WeakMap<object, object | null>();

/**
 * /api/event: every directory's events in the v2 envelope ({id, type, location, data}); only the
 * event types the v2 stream defines (V2Event) are sent.
 */
export async function streamV2Events(ctx: RequestContext): Promise<void> {
  const { bus, config, schemas } = ctx.services;
  const stream = openEventStream(ctx.res, { name: "/api/event", log: ctx.log, heartbeat: () => null, heartbeatMs: config.heartbeatMs });
  const toV2 = (event: BusEvent, directory?: string) => ({
    id: event.id,
    type: event.type,
    ...(directory && directory !== "global" ? { location: { directory } } : {}),
    data: event.properties,
  });
  stream.send(toV2(serverEvent("server.connected")));
  const unsubscribe = bus.subscribeAll((scoped) => {
    if (scoped.payload.type === "sync") return;
    // Built and checked once per event for every /api/event client (and serialized once by send).
    let frame = v2Frames.get(scoped);
    if (frame === undefined) {
      const built = toV2(scoped.payload as BusEvent, scoped.directory);
      frame = schemas.check("V2Event", built) ? null : built;
      v2Frames.set(scoped, frame);
    }
    if (frame) stream.send(frame);
  });
  await stream.closed;
  unsubscribe();
}

export async function streamGlobalEvents(ctx: RequestContext): Promise<void> {
  const { bus, config } = ctx.services;
  const stream = openEventStream(ctx.res, {
    name: "/global/event",
    log: ctx.log,
    heartbeat: () => ({ payload: serverEvent("server.heartbeat") }),
    heartbeatMs: config.heartbeatMs,
  });
  stream.send({ payload: serverEvent("server.connected") });
  const unsubscribe = bus.subscribeAll((frame) => stream.send(frame));
  await stream.closed;
  unsubscribe();
}

/**
 * /api/session/{id}/event: the session's durable history (session.next.*) after `after`, then
 * each newly settled part of it as the session's messages complete. Frames carry SSE id and
 * event fields, as upstream's durable stream does.
 */
export async function streamSessionHistory(ctx: RequestContext, sessionID: string, directory: string, after: number): Promise<void> {
  const { bus, config, store } = ctx.services;
  const stream = openEventStream(ctx.res, {
    name: `/api/session/${sessionID}/event`,
    log: ctx.log,
    heartbeat: () => null,
    heartbeatMs: config.heartbeatMs,
  });
  let sent = after;
  let sending = Promise.resolve();
  const sendNew = () =>
    (sending = sending.then(async () => {
      for (const event of sessionHistory(sessionID, directory, await store.listMessages(sessionID))) {
        if (event.durable!.seq <= sent) continue;
        stream.sendFields({ id: String(event.durable!.seq), event: event.type, data: event });
        sent = event.durable!.seq;
      }
    }));
  await sendNew();
  const unsubscribe = bus.subscribe(directory, (event) => {
    const properties = event.payload.properties as { sessionID?: string; info?: { sessionID?: string } };
    if (
      (properties.sessionID ?? properties.info?.sessionID) === sessionID &&
      (event.payload.type === "message.updated" || event.payload.type === "session.idle")
    )
      void sendNew();
  });
  await stream.closed;
  unsubscribe();
}
