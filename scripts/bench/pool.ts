// Two measurements of a server under many clients: a pool of sessions prompted at once, and many
// idle event streams held open. Both run against ours and upstream alike.
import { spawn } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { percentile, sseDataReader } from "./load.js";
import { POOL_MATCH, rssMiB, type Target } from "./targets.js";

/** The prompt both scripted models answer with one tool call (`read` of POOL_FILE_NAME), then a text. */
export const POOL_PROMPT = `${POOL_MATCH}: read the pool file`;

export interface PoolResult {
  sessions: number;
  /** Sessions that went idle (their turn ended) within the time limit. */
  finished: number;
  seconds: number;
  turnsPerSecond: number;
  /** GET /global/health latency sampled from outside while the pool runs (the server has no lag hook). */
  healthP50: number;
  healthP99: number;
  healthMax: number;
  healthSamples: number;
}

async function post(url: string, body: unknown): Promise<Response> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res;
}

/** One /event stream; calls onData with each data line's JSON text. Resolves once the first frame arrived. */
export function openStream(base: URL, onData: (data: string) => void): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    let first = true;
    const read = sseDataReader((data) => {
      onData(data);
      if (!first) return;
      first = false;
      clearTimeout(timer);
      resolve(req);
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error("no first event within 30 s"));
    }, 30_000);
    const req = http.get({ host: base.hostname, port: base.port, path: "/event", agent: false }, (res) => {
      res.setEncoding("utf8");
      res.on("data", read);
      res.on("error", () => undefined);
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * GET /global/health latencies, sampled by a process of its own (./health-sampler.mjs): this one
 * is busy reading the pool's event stream, which would delay its own requests' answers.
 */
async function sampleHealth(url: string, sampleMs: number): Promise<{ stop(): Promise<number[]> }> {
  const script = fileURLToPath(new URL("./health-sampler.mjs", import.meta.url));
  const child = spawn(process.execPath, [script, url, String(sampleMs)], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Connected and answered once before the pool starts.
  await new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (chunk.includes("ready") ? resolve() : process.stderr.write(chunk)));
    child.once("exit", (code) => reject(new Error(`the health sampler exited (${code})`)));
  });
  return {
    async stop() {
      child.stdin.end();
      await exited;
      return JSON.parse(out || "[]") as number[];
    },
  };
}

/**
 * `sessions` new sessions, each sent one prompt at the same moment (prompt_async); the scripted
 * model answers each with one tool call and then a text. Turns per second: sessions finished
 * (session.idle) over the time from the first prompt to the last idle. Meanwhile GET
 * /global/health is sent one at a time, every `sampleMs`, and its latency stands in for the
 * server's event-loop lag.
 */
export async function promptPool(
  target: Target,
  options: { sessions: number; timeoutMs?: number; sampleMs?: number },
): Promise<PoolResult> {
  const base = new URL(target.url);
  const ids: string[] = [];
  for (let i = 0; i < options.sessions; i++) {
    const res = await fetch(`${target.url}/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: `pool ${i}` }),
    });
    ids.push(((await res.json()) as { id: string }).id);
  }
  const waiting = new Set(ids);
  let lastIdle = 0;
  let allIdle!: () => void;
  const done = new Promise<void>((resolve) => (allIdle = resolve));
  const stream = await openStream(base, (data) => {
    if (!data.includes('"session.idle"')) return;
    const id = (JSON.parse(data) as { properties?: { sessionID?: string } }).properties?.sessionID;
    if (id && waiting.delete(id)) {
      lastIdle = performance.now();
      if (!waiting.size) allIdle();
    }
  });

  const sampler = await sampleHealth(target.url, options.sampleMs ?? 20);

  const started = performance.now();
  const sent = await Promise.all(
    ids.map((id) => post(`${target.url}/session/${id}/prompt_async`, { parts: [{ type: "text", text: POOL_PROMPT }] })),
  );
  const refused = sent.filter((r) => !r.ok).length;
  if (refused) process.stderr.write(`  ${target.name}: ${refused} prompt_async requests refused\n`);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise((r) => (timer = setTimeout(r, options.timeoutMs ?? 300_000)))]);
  clearTimeout(timer);
  const latencies = await sampler.stop();
  stream.destroy();
  // The work was the same on both: the first session's tool call ran and completed.
  const parts = (
    (await (await fetch(`${target.url}/session/${ids[0]}/message`)).json()) as {
      parts: { type: string; tool?: string; state?: { status: string } }[];
    }[]
  ).flatMap((m) => m.parts);
  const tool = parts.find((p) => p.type === "tool");
  if (tool?.state?.status !== "completed")
    process.stderr.write(
      `  ${target.name}: the pool's tool call did not complete (${tool ? `${tool.tool}: ${tool.state?.status}` : "no tool part"})\n`,
    );
  latencies.sort((a, b) => a - b);
  const finished = options.sessions - waiting.size;
  const seconds = ((finished ? lastIdle : performance.now()) - started) / 1000;
  return {
    sessions: options.sessions,
    finished,
    seconds,
    turnsPerSecond: finished / seconds,
    healthP50: percentile(latencies, 50),
    healthP99: percentile(latencies, 99),
    healthMax: latencies.at(-1) ?? NaN,
    healthSamples: latencies.length,
  };
}

export interface IdleStreamsResult {
  clients: number;
  connected: number;
  beforeMiB: number;
  heldMiB: number;
  growthMiB: number;
}

/** `clients` idle GET /event streams held for `holdSeconds`; the server's RSS before and while held. */
export async function idleStreams(target: Target, options: { clients: number; holdSeconds: number }): Promise<IdleStreamsResult> {
  const base = new URL(target.url);
  await new Promise((r) => setTimeout(r, 1_000));
  const beforeMiB = rssMiB(target.pid);
  const streams: http.ClientRequest[] = [];
  // Opened in batches, so that the listen backlog does not overflow.
  for (let i = 0; i < options.clients; i += 100) {
    const batch = await Promise.allSettled(
      Array.from({ length: Math.min(100, options.clients - i) }, () => openStream(base, () => undefined)),
    );
    for (const r of batch) if (r.status === "fulfilled") streams.push(r.value);
  }
  await new Promise((r) => setTimeout(r, options.holdSeconds * 1000));
  const heldMiB = rssMiB(target.pid);
  for (const s of streams) s.destroy();
  return { clients: options.clients, connected: streams.length, beforeMiB, heldMiB, growthMiB: heldMiB - beforeMiB };
}
