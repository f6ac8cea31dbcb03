// The two event streams: /event carries the events of one directory as bare events, /global/event
// carries every directory's events wrapped as {directory, project, payload}. Both start with
// server.connected and send server.heartbeat every 10 s.
import { createId } from "../id.js";
import type { BusEvent } from "../bus/event-bus.js";
import type { RequestContext } from "./context.js";
import { legacyEvent } from "../legacy/python-sdk-shapes.js";
import { isLegacyClient } from "./legacy-client.js";
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
  // `remote`: the pool's other nodes' events too (none on a single node).
  const unsubscribe = bus.subscribe(ctx.directory, (event) => stream.send(shape(event.payload)), { remote: true });
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
  const unsubscribe = bus.subscribeAll((frame) => stream.send(frame), { remote: true });
  await stream.closed;
  unsubscribe();
}
