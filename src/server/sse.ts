// Server-sent event streams as upstream writes them: only `data: <json>\n\n` frames, no event/id
// fields, the upstream headers, and a heartbeat every 10 seconds.
import type { Response } from "express";
import type { Logger } from "pino";

export const HEARTBEAT_MS = 10_000;

export interface EventStream {
  send(frame: unknown): void;
  /** A frame with SSE id and event fields as well (upstream's durable session stream). */
  sendFields(frame: { id: string; event: string; data: unknown }): void;
  /** Resolves when the client goes away or close() is called. */
  closed: Promise<void>;
  close(): void;
}

export function openEventStream(
  res: Response,
  /** `heartbeat` answers the frame sent every heartbeatMs; null sends an SSE comment instead (streams whose schema has no heartbeat event). */
  options: { name: string; log: Logger; heartbeat: () => unknown; heartbeatMs?: number },
): EventStream {
  res.status(200);
  res.setHeader("content-type", "text/event-stream");
  res.setHeader("cache-control", "no-cache, no-transform");
  res.setHeader("x-accel-buffering", "no");
  res.setHeader("x-content-type-options", "nosniff");
  res.flushHeaders();
  res.socket?.setNoDelay(true);

  let open = true;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const send = (frame: unknown) => {
    if (!open) return;
    options.log.info({ stream: options.name, event: frame }, "sse event");
    res.write(`data: ${JSON.stringify(frame)}\n\n`);
  };
  const beat = () => {
    const frame = options.heartbeat();
    if (frame !== null) send(frame);
    else if (open) res.write(":\n\n");
  };
  const timer = setInterval(beat, options.heartbeatMs ?? HEARTBEAT_MS);
  const finish = () => {
    if (!open) return;
    open = false;
    clearInterval(timer);
    resolveClosed();
  };
  res.on("close", finish);
  const sendFields = (frame: { id: string; event: string; data: unknown }) => {
    if (!open) return;
    options.log.info({ stream: options.name, event: frame }, "sse event");
    res.write(`id: ${frame.id}\nevent: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`);
  };
  return {
    send,
    sendFields,
    closed,
    close() {
      finish();
      res.end();
    },
  };
}
