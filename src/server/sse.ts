// Server-sent event streams as upstream writes them: only `data: <json>\n\n` frames, no event/id
// fields, the upstream headers, and a heartbeat every 10 seconds.
//
// Fan-out: a frame object sent to many streams (one bus event, 200 subscribers) is serialized
// once; the text is remembered per object (frames are not changed after they are published).
// Back-pressure: each stream buffers at most sseLimits.maxBufferedBytes that its client has not
// read yet; a client past that (stalled, or far too slow) is dropped: logged, and its connection
// closed, so that it neither holds up the others nor grows the server's memory.
import type { Response } from "express";
import type { Logger } from "pino";

export const HEARTBEAT_MS = 10_000;

/** Settings of every stream (tests lower the buffer limit). */
export const sseLimits = {
  /** Bytes written to a stream and not yet taken by its client, beyond which the client is dropped. */
  maxBufferedBytes: 8 * 1024 * 1024,
};

export interface EventStream {
  send(frame: unknown): void;
  /** A frame with SSE id and event fields as well (upstream's durable session stream). */
  sendFields(frame: { id: string; event?: string; data: unknown }): void;
  /** Resolves when the client goes away, is dropped, or close() is called. */
  closed: Promise<void>;
  close(): void;
}

const serialized = new WeakMap<object, string>();

/** The open streams' responses, for answers that must follow what the streams carry. */
const openResponses = new Set<Response>();

/** How long a held answer waits after the streams have handed their frames on. */
export const SETTLE_MS = 100;

/**
 * Resolves once every open stream has handed what it was sent to the network (no write buffered,
 * at most a second per stream), and a moment more. A client that stops reading its event stream
 * when a held answer arrives (`opencode run --attach` exits at the prompt's reply) then has the
 * run's last events, which travel on another connection, before that answer.
 */
export async function streamsSettled(): Promise<void> {
  const drained = [...openResponses].map((res) =>
    res.writableLength === 0
      ? undefined
      : new Promise<void>((resolve) => {
          const done = () => resolve();
          res.once("drain", done).once("close", done);
          setTimeout(done, 1000).unref();
        }),
  );
  await Promise.all(drained);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** `data: <json>\n\n` for a frame, serialized once per frame object however many streams send it. */
export function dataFrame(frame: unknown): string {
  if (frame === null || typeof frame !== "object") return `data: ${JSON.stringify(frame)}\n\n`;
  let text = serialized.get(frame);
  if (text === undefined) {
    text = `data: ${JSON.stringify(frame)}\n\n`;
    serialized.set(frame, text);
  }
  return text;
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
  openResponses.add(res);
  const finish = () => {
    if (!open) return;
    open = false;
    openResponses.delete(res);
    clearInterval(timer);
    resolveClosed();
  };
  // The frames written in one tick go out together: a chunked response writes each frame in four
  // pieces (size, CRLF, frame, CRLF), each its own system call on an uncorked socket; corked until
  // the tick ends, they are one write for however many frames the tick sent.
  let corked = false;
  const uncork = () => {
    corked = false;
    if (open) res.uncork();
  };
  /** Writes unless the client has stopped taking what it was sent; then it is dropped. */
  const write = (text: string) => {
    if (!open) return;
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(uncork);
    }
    res.write(text);
    if (res.writableLength <= sseLimits.maxBufferedBytes) return;
    options.log.warn(
      { stream: options.name, buffered: res.writableLength, limit: sseLimits.maxBufferedBytes },
      "event stream dropped: the client stopped reading",
    );
    finish();
    res.destroy();
  };
  const send = (frame: unknown) => {
    if (!open) return;
    // One line per frame and stream: at DEBUG, so that a fan-out to many clients costs no log writes.
    options.log.debug({ stream: options.name, event: frame }, "sse event");
    write(dataFrame(frame));
  };
  const beat = () => {
    const frame = options.heartbeat();
    if (frame !== null) send(frame);
    else write(":\n\n");
  };
  const timer = setInterval(beat, options.heartbeatMs ?? HEARTBEAT_MS);
  res.on("close", finish);
  const sendFields = (frame: { id: string; event?: string; data: unknown }) => {
    if (!open) return;
    options.log.debug({ stream: options.name, event: frame }, "sse event");
    write(`id: ${frame.id}\n${frame.event ? `event: ${frame.event}\n` : ""}data: ${JSON.stringify(frame.data)}\n\n`);
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
