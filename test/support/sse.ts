// A small SSE reader for tests: reads `data:` frames from a stream and checks each one against
// the spec's ServedEvent / ServedGlobalEvent schemas as it arrives.
import { expect } from "vitest";
import { loadServedSpec } from "../../src/contract/served-spec.js";
import { SpecSchemas, summarizeErrors } from "../../src/contract/validation.js";

let schemas: SpecSchemas | undefined;
function specSchemas(): SpecSchemas {
  return (schemas ??= new SpecSchemas(loadServedSpec()));
}

/** Which frames a stream carries: /event's, /global/event's, or /event's as a legacy (Python SDK) client gets them. */
export type StreamKind = "event" | "global" | "legacy-event" | "v2";

const FRAME_SCHEMA: Record<StreamKind, string> = {
  event: "ServedEvent",
  global: "ServedGlobalEvent",
  "legacy-event": "LegacyServedEvent",
  v2: "V2Event",
};

export interface EventReader {
  response: Response;
  /** Every frame so far. */
  frames: unknown[];
  /** Waits for the next frame after the last one matched that satisfies `match`. */
  next<T = Record<string, unknown>>(match?: (frame: T) => boolean, timeoutMs?: number): Promise<T>;
  close(): void;
}

/** The raw blocks (frames) of an SSE response, as they arrive. */
export async function* sseBlocks(response: Response): AsyncGenerator<string> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      yield buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
    }
  }
}

export async function openEventReader(url: string, kind: StreamKind, init: RequestInit = {}): Promise<EventReader> {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  const frames: unknown[] = [];
  const waiters = new Set<() => void>();
  let pumpError: unknown;
  let cursor = 0;
  const schemaName = FRAME_SCHEMA[kind];
  const pump = async () => {
    for await (const block of sseBlocks(response)) {
      if (block.startsWith(":")) continue; // a comment: the v2 stream's heartbeat
      const lines = block.split("\n");
      expect(
        lines.every((l) => l.startsWith("data: ")),
        `only data: lines, got ${JSON.stringify(block)}`,
      ).toBe(true);
      const frame = JSON.parse(lines.map((l) => l.slice(6)).join("\n"));
      const errors = specSchemas().check(schemaName, frame);
      if (errors) throw new Error(`${schemaName} violation: ${summarizeErrors(errors, frame).join("; ")}`);
      frames.push(frame);
      for (const wake of [...waiters]) wake();
    }
  };
  const pumping = pump().catch((error: unknown) => {
    if ((error as Error).name !== "AbortError") pumpError = error;
    for (const wake of [...waiters]) wake();
  });
  void pumping;
  return {
    response,
    frames,
    next<T>(match: (frame: T) => boolean = () => true, timeoutMs = 5_000) {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          if (pumpError) return finish(() => reject(pumpError));
          for (let i = cursor; i < frames.length; i++) {
            const frame = frames[i] as T;
            if (match(frame)) {
              cursor = i + 1;
              return finish(() => resolve(frame));
            }
          }
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(
                new Error(
                  `no matching event within ${timeoutMs} ms; the last frames: ${frames
                    .slice(-15)
                    .map(
                      (f) =>
                        (f as { type?: string; payload?: { type?: string } }).type ?? (f as { payload?: { type?: string } }).payload?.type,
                    )
                    .join(", ")}`,
                ),
              ),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}

/** A session.next.* event in the v2 envelope, as the v2 streams send it. */
export type NextEvent = { id: string; type: string; durable?: { seq: number }; data: Record<string, unknown> };
/** One frame of a v2 stream, with its SSE id and event fields. */
export type NextFrame = { id?: string; event?: string; data: NextEvent };

/**
 * A v2 SSE connection (/api/event, /api/session/{id}/event) whose frames are collected as they
 * come; `check` sees each event first (a contract check).
 */
export function connectV2(url: string, headers: Record<string, string> = {}, check?: (event: NextEvent) => void) {
  const controller = new AbortController();
  const frames: NextFrame[] = [];
  const done = (async () => {
    const res = await fetch(url, { headers, signal: controller.signal });
    expect(res.status).toBe(200);
    for await (const block of sseBlocks(res)) {
      if (block.startsWith(":")) continue;
      const field = (name: string) =>
        block
          .split("\n")
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2);
      const data = JSON.parse(field("data")!) as NextEvent;
      check?.(data);
      frames.push({ id: field("id"), event: field("event"), data });
    }
  })().catch((error: unknown) => {
    if ((error as Error).name !== "AbortError") throw error;
  });
  return {
    frames,
    /** The session's session.next.* frames. */
    of: (sessionID: string) => frames.filter((f) => f.data.type.startsWith("session.next.") && f.data.data.sessionID === sessionID),
    async close() {
      controller.abort();
      await done;
    },
  };
}
