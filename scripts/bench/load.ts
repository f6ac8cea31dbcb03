// The load generator: a fixed number of keep-alive connections, each sending the next request as
// soon as the last answer is read, for a fixed time (what autocannon does, in a few lines of
// node:http so that nothing needs installing). Also the SSE fan-out measurement.
import http from "node:http";
import { cpuSeconds } from "./targets.js";

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** Answers that were not 2xx, and failed requests. */
  errors: number;
  /** Mean bytes per answer. */
  bytes: number;
  /** Answers in the timed part. */
  answers: number;
  /** CPU seconds the server (`options.pid` and its descendants) spent in the timed part. */
  cpuSeconds?: number;
}

export interface RequestSpec {
  method?: string;
  path: string;
  body?: unknown;
}

/** The p-th percentile of ascending values. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** One request on the agent's connections; its status and the answer's size. */
export function once(agent: http.Agent, base: URL, spec: RequestSpec, payload: Buffer | undefined): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: spec.method ?? "GET",
        path: spec.path,
        headers: payload ? { "content-type": "application/json", "content-length": payload.length } : {},
      },
      (res) => {
        let bytes = 0;
        res.on("data", (chunk: Buffer) => (bytes += chunk.length));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

export async function load(
  url: string,
  spec: RequestSpec,
  options: { seconds: number; connections: number; /** The server's process, for its CPU time. */ pid?: number },
): Promise<LoadResult> {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const payload = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
  // Warm-up: connections open, lazy work done, JIT warm.
  const warmEnd = performance.now() + 500;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < warmEnd) await once(agent, base, spec, payload).catch(() => undefined);
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const cpuBefore = options.pid === undefined ? 0 : cpuSeconds(options.pid);
  const started = performance.now();
  const end = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          const answer = await once(agent, base, spec, payload);
          if (answer.status < 200 || answer.status >= 300) errors++;
          bytes += answer.bytes;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = options.pid === undefined ? undefined : cpuSeconds(options.pid) - cpuBefore;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    bytes: latencies.length ? bytes / latencies.length : 0,
    answers: latencies.length,
    ...(cpu === undefined ? {} : { cpuSeconds: cpu }),
  };
}

export interface FanOutResult {
  p50: number;
  p99: number;
  max: number;
  /** Deliveries that did not arrive within the round's time limit. */
  missed: number;
}

const WARM_UP_ROUNDS = 5;

interface Subscriber {
  req: http.ClientRequest;
  /** Called with each data line's JSON text. */
  onData?: (data: string) => void;
}

/** A reader of an SSE response's text chunks: calls `onData` with each complete frame's data lines (their JSON text). */
export function sseDataReader(onData: (data: string) => void): (chunk: string) => void {
  let buffer = "";
  return (chunk) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of frame.split("\n")) if (line.startsWith("data: ")) onData(line.slice(6));
    }
  };
}

function subscribe(base: URL, path: string, onConnected: () => void, sub: Subscriber): void {
  let connected = false;
  const read = sseDataReader((data) => {
    if (!connected) {
      connected = true;
      onConnected();
    }
    sub.onData?.(data);
  });
  sub.req = http.get({ host: base.hostname, port: base.port, path, agent: false }, (res) => {
    res.setEncoding("utf8");
    res.on("data", read);
    res.on("error", () => undefined);
  });
  sub.req.on("error", () => undefined);
}

/**
 * `subscribers` clients on GET /event; each round creates a session (POST /session) and measures,
 * for every subscriber, the time from sending the POST to reading its session.created frame.
 */
export async function sseFanOut(url: string, options: { subscribers: number; rounds: number }): Promise<FanOutResult> {
  const base = new URL(url);
  const subs: Subscriber[] = [];
  let connected = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${connected} of ${options.subscribers} subscribers connected`)), 30_000);
    for (let i = 0; i < options.subscribers; i++) {
      const sub = { req: undefined as never } as Subscriber;
      subs.push(sub);
      subscribe(base, "/event", () => {
        if (++connected === options.subscribers) {
          clearTimeout(timer);
          resolve();
        }
      }, sub);
    }
  });
  const delays: number[] = [];
  let missed = 0;
  // The POSTs go on one kept-alive connection of node:http, as the load's requests do: fetch's own
  // work (a few ms per request in this process) is the client's, and is not part of a delivery.
  const poster = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // Warm-up rounds first, not counted (as the load's first half second is not): the server's
  // first events on these streams run code not yet compiled.
  for (let round = -WARM_UP_ROUNDS; round < options.rounds; round++) {
    const title = `fan-out ${round} ${Date.now()}`;
    let received = 0;
    let sentAt = 0;
    const all = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        if (round >= 0) missed += options.subscribers - received;
        resolve();
      }, 5_000);
      for (const sub of subs) {
        let seen = false;
        sub.onData = (data) => {
          if (seen || !data.includes('"session.created"') || !data.includes(title)) return;
          seen = true;
          if (round >= 0) delays.push(performance.now() - sentAt);
          if (++received === options.subscribers) {
            clearTimeout(timer);
            resolve();
          }
        };
      }
    });
    sentAt = performance.now();
    await once(poster, base, { method: "POST", path: "/session" }, Buffer.from(JSON.stringify({ title })));
    await all;
    await new Promise((r) => setTimeout(r, 20));
  }
  poster.destroy();
  for (const sub of subs) sub.req.destroy();
  delays.sort((a, b) => a - b);
  return { p50: percentile(delays, 50), p99: percentile(delays, 99), max: delays.at(-1) ?? NaN, missed };
}
