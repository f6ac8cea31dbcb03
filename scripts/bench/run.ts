// `npm run bench`: ours and (when opencode-ai is installed) the real `opencode serve`, each
// started fresh as its own process with the same seeded data, measured in one run; prints a
// markdown table with the ratios. Real measurements only; nothing here is asserted anywhere.
//
// The machine may be shared: each path is loaded in short rounds that alternate between the
// servers (ours, ours with validation off, upstream), and the median round counts, so that a
// burst of other work on the machine hits all of them alike instead of one.
//
// Settings (environment): BENCH_SECONDS (per path and server, default 6), BENCH_ROUNDS_PER_PATH
// (6), BENCH_CONNECTIONS (16), BENCH_SUBSCRIBERS (200), BENCH_EVENTS (SSE events, 30), BENCH_PROMPTS
// (prompts timed to their first text delta, 30),
// BENCH_STARTUP_RUNS (5), BENCH_UPSTREAM=0 (ours only), BENCH_BUILD=0 (use the dist/ there is),
// BENCH_POOL (sessions prompted at once, 200; 0 skips it), BENCH_IDLE_SSE (idle /event clients,
// 1000; 0 skips it), BENCH_IDLE_SSE_SECONDS (how long they are held, 5), BENCH_ONLY (a focused
// run while working on one path: comma-separated parts of the read paths' names, e.g.
// "health,/path"; only those are loaded, and POST /session and the SSE fan-out are skipped).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { lastUserText, startScriptedLlm } from "../../test/support/scripted-llm.js";
import { load, percentile, sseFanOut, type FanOutResult, type LoadResult, type RequestSpec } from "./load.js";
import { idleStreams, promptPool, type IdleStreamsResult, type PoolResult } from "./pool.js";
import { promptToFirstDelta, type PromptLatencyResult } from "./prompt-latency.js";
import { seed } from "./seed.js";
import { POOL_FILE_NAME, POOL_MATCH, REPLY_TEXT, ROOT, removeScratch, rssMiB, startOurs, startUpstream, upstreamInstalled, type Target } from "./targets.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS_PER_PATH = Number(process.env.BENCH_ROUNDS_PER_PATH ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 200);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 30);
const PROMPTS = Number(process.env.BENCH_PROMPTS ?? 30);
/** How long the servers are left idle after the load before their RSS is read again. */
const SETTLE_SECONDS = 10;
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const POOL = Number(process.env.BENCH_POOL ?? 200);
const IDLE_SSE = Number(process.env.BENCH_IDLE_SSE ?? 1000);
const IDLE_SSE_SECONDS = Number(process.env.BENCH_IDLE_SSE_SECONDS ?? 5);
const ONLY = process.env.BENCH_ONLY?.split(",").filter(Boolean);
const WITH_UPSTREAM = process.env.BENCH_UPSTREAM !== "0" && upstreamInstalled();
/** The bench-only switch that turns request and response validation off (src/server/openapi.ts). */
const VALIDATION_OFF = { AGENTPOOL_BENCH_VALIDATION: "off" };

type Label = "ours" | "ours, validation off" | "upstream";

interface Measured {
  label: Label;
  target: Target;
  busy: string;
  messages: number;
  idleRss: number;
  loadedRss?: number;
  /** The same, once the servers have been idle for SETTLE_SECONDS. */
  settledRss?: number;
  paths: Map<string, LoadResult>;
  /** Per path: the server's CPU time per answer in its median round by that figure, in µs. */
  cpuPerAnswer: Map<string, number>;
  fanOut?: FanOutResult;
  firstDelta?: PromptLatencyResult;
  pool?: PoolResult;
  idle?: IdleStreamsResult;
  startupMs: number[];
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function readPaths(busy: string): [string, RequestSpec][] {
  return [
    ["GET /global/health", { path: "/global/health" }],
    ["GET /path", { path: "/path" }],
    ["GET /session", { path: "/session" }],
    ["GET /session/{id}/message", { path: `/session/${busy}/message` }],
    ["GET /config", { path: "/config" }],
    ["GET /agent", { path: "/agent" }],
  ];
}

/** Fresh starts, one server at a time, alternating between the servers; each one's times, ascending. */
async function measureStartup(starters: (() => Promise<Target>)[], runs: number): Promise<number[][]> {
  const times: number[][] = starters.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [index, start] of starters.entries()) {
      const target = await start();
      times[index]!.push(target.startupMs);
      await target.stop();
    }
  }
  return times.map((list) => list.sort((a, b) => a - b));
}

async function prepare(label: Label, start: () => Promise<Target>): Promise<Measured> {
  const target = await start();
  await new Promise((r) => setTimeout(r, 2_000));
  const idleRss = rssMiB(target.pid);
  log(`${label}: answering after ${target.startupMs.toFixed(0)} ms, idle RSS ${idleRss.toFixed(0)} MiB; seeding`);
  const { busy, messages } = await seed(target);
  return { label, target, busy, messages, idleRss, paths: new Map(), cpuPerAnswer: new Map(), startupMs: [] };
}

/**
 * Rounds alternating between the servers; each server's median round (by req/s) is its figure,
 * and its median round by the CPU time its process tree spent per answer (which moves less with
 * other work on the machine than req/s does; a round with a collection or a burst of other work
 * on the machine is an outlier either way).
 */
async function loadInterleaved(servers: Measured[], name: string, spec: (m: Measured) => RequestSpec): Promise<void> {
  const rounds = new Map<Measured, LoadResult[]>(servers.map((m) => [m, []]));
  for (let round = 0; round < ROUNDS_PER_PATH; round++) {
    for (const m of servers) {
      rounds
        .get(m)!
        .push(await load(m.target.url, spec(m), { seconds: SECONDS / ROUNDS_PER_PATH, connections: CONNECTIONS, pid: m.target.pid }));
    }
  }
  for (const m of servers) {
    const perAnswer = rounds
      .get(m)!
      .map((r) => ((r.cpuSeconds ?? 0) / r.answers) * 1e6)
      .sort((a, b) => a - b);
    m.cpuPerAnswer.set(name, percentile(perAnswer, 50));
    const results = rounds.get(m)!.sort((a, b) => a.rps - b.rps);
    const median = results[Math.floor(results.length / 2)]!;
    m.paths.set(name, median);
    log(
      `  ${m.label.padEnd(22)} ${name.padEnd(26)} ${median.rps.toFixed(0).padStart(7)} req/s (rounds ${results.map((r) => r.rps.toFixed(0)).join(", ")})  p50 ${median.p50.toFixed(2)} ms  p99 ${median.p99.toFixed(2)} ms  ${(median.bytes / 1024).toFixed(1)} KB  CPU ${m.cpuPerAnswer.get(name)!.toFixed(0)} µs per answer${median.errors ? `  ${median.errors} errors` : ""}`,
    );
  }
}

// ---- table ---------------------------------------------------------------------------------

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n) ? "—" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** Ratio where higher is better for ours: throughput ours/upstream, times and memory upstream/ours. */
const better = (ours: number | undefined, upstream: number | undefined, higherIsBetter: boolean) => {
  if (ours === undefined || upstream === undefined || !ours || !upstream) return "—";
  const ratio = higherIsBetter ? ours / upstream : upstream / ours;
  return `${ratio.toFixed(ratio < 10 ? 2 : 1)}x`;
};

function table(ours: Measured, off: Measured, upstream: Measured | undefined): string {
  const rows: string[] = [
    "| measurement | upstream | ours | ours vs upstream (>1: ours better) | server CPU per answer, upstream / ours / ours with validation off (µs) | validation share of ours' CPU per answer |",
    "|---|---|---|---|---|---|",
  ];
  for (const [name, result] of ours.paths) {
    const up = upstream?.paths.get(name);
    const label =
      name === "GET /session"
        ? "GET /session (50 sessions)"
        : name === "GET /session/{id}/message"
          ? `GET /session/{id}/message (${ours.messages} messages, ${fmt(result.bytes / 1024)} KB)`
          : name;
    const cpu = (m: Measured | undefined) => fmt(m?.cpuPerAnswer.get(name));
    const [checked, unchecked] = [ours.cpuPerAnswer.get(name), off.cpuPerAnswer.get(name)];
    const share = checked && unchecked !== undefined ? `${((1 - unchecked / checked) * 100).toFixed(0)}%` : "—";
    rows.push(
      `| ${label}, req/s | ${fmt(up?.rps)} | ${fmt(result.rps)} | ${better(result.rps, up?.rps, true)} | ${cpu(upstream)} / ${cpu(ours)} / ${cpu(off)} | ${share} |`,
    );
  }
  const fan = (m: Measured | undefined) =>
    m?.fanOut ? `${fmt(m.fanOut.p50, 1)} / ${fmt(m.fanOut.p99, 1)} ms${m.fanOut.missed ? ` (${m.fanOut.missed} missed)` : ""}` : "—";
  rows.push(
    `| SSE fan-out, ${SUBSCRIBERS} subscribers, ${EVENTS} events, delivery p50 / p99 | ${fan(upstream)} | ${fan(ours)} | ${better(ours.fanOut?.p99, upstream?.fanOut?.p99, false)} (p99) | | |`,
  );
  if (PROMPTS) {
    const delta = (m: Measured | undefined) =>
      m?.firstDelta ? `${fmt(m.firstDelta.p50, 1)} / ${fmt(m.firstDelta.p99, 1)} ms${m.firstDelta.missed ? ` (${m.firstDelta.missed} missed)` : ""}` : "—";
    rows.push(
      `| prompt_async to the first text delta on /event, ${PROMPTS} prompts, p50 / p99 (same HTTP model) | ${delta(upstream)} | ${delta(ours)} | ${better(ours.firstDelta?.p99, upstream?.firstDelta?.p99, false)} (p99) | | |`,
    );
  }
  const startup = (m: Measured | undefined) => (m?.startupMs.length ? percentile(m.startupMs, 50) : undefined);
  rows.push(
    `| startup to first answer, median of ${STARTUP_RUNS} (ms) | ${fmt(startup(upstream))} | ${fmt(startup(ours))} | ${better(startup(ours), startup(upstream), false)} | | |`,
  );
  rows.push(`| idle RSS, fresh server (MiB) | ${fmt(upstream?.idleRss)} | ${fmt(ours.idleRss)} | ${better(ours.idleRss, upstream?.idleRss, false)} | | |`);
  rows.push(
    `| RSS after seeding and all load above (MiB) | ${fmt(upstream?.loadedRss)} | ${fmt(ours.loadedRss)} | ${better(ours.loadedRss, upstream?.loadedRss, false)} | | |`,
    `| the same, ${SETTLE_SECONDS} s later, idle (MiB) | ${fmt(upstream?.settledRss)} | ${fmt(ours.settledRss)} | ${better(ours.settledRss, upstream?.settledRss, false)} | | |`,
  );
  if (POOL) {
    const turns = (m: Measured | undefined) =>
      m?.pool ? `${fmt(m.pool.turnsPerSecond, 1)}${m.pool.finished < m.pool.sessions ? ` (${m.pool.finished} of ${m.pool.sessions} finished)` : ""}` : "—";
    const lag = (m: Measured | undefined) => (m?.pool ? `${fmt(m.pool.healthP50, 1)} / ${fmt(m.pool.healthP99, 1)} ms` : "—");
    rows.push(
      `| pool: ${POOL} sessions prompted at once (one tool call each), turns/s | ${turns(upstream)} | ${turns(ours)} | ${better(ours.pool?.turnsPerSecond, upstream?.pool?.turnsPerSecond, true)} | | |`,
    );
    rows.push(
      `| pool: GET /global/health latency during it, p50 / p99 (event-loop lag seen from outside) | ${lag(upstream)} | ${lag(ours)} | ${better(ours.pool?.healthP99, upstream?.pool?.healthP99, false)} (p99) | | |`,
    );
  }
  if (IDLE_SSE) {
    const growth = (m: Measured | undefined) =>
      m?.idle ? `${fmt(m.idle.growthMiB)}${m.idle.connected < m.idle.clients ? ` (${m.idle.connected} connected)` : ""}` : "—";
    // A ratio only when both grew by at least 1 MiB (a process may also shrink meanwhile).
    const [a, b] = [ours.idle?.growthMiB ?? 0, upstream?.idle?.growthMiB ?? 0];
    rows.push(
      `| ${IDLE_SSE} idle SSE clients on /event held ${IDLE_SSE_SECONDS} s, RSS growth (MiB) | ${growth(upstream)} | ${growth(ours)} | ${a >= 1 && b >= 1 ? better(a, b, false) : "—"} | | |`,
    );
  }
  return rows.join("\n");
}

// ---- main ----------------------------------------------------------------------------------

if (process.env.BENCH_BUILD !== "0") execFileSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { stdio: "inherit" });

const llm = await startScriptedLlm({
  // The same reply as our scripted provider's; a short title for upstream's title request (no tools).
  // The pool's prompt: one tool call (read), then the reply once the tool's result is in.
  script: (request) => {
    if (!request.body.tools) return { kind: "text", text: "Bench title" };
    if (request.body.messages.at(-1)?.role !== "tool" && lastUserText(request).includes(POOL_MATCH))
      return { kind: "tool", calls: [{ name: "read", args: { filePath: POOL_FILE_NAME } }] };
    return { kind: "text", text: REPLY_TEXT };
  },
});
const servers: Measured[] = [];
try {
  log(`startup: ${STARTUP_RUNS} fresh starts each, one server at a time, alternating`);
  const [oursStartup = [], upstreamStartup = []] = await measureStartup(
    [() => startOurs(), ...(WITH_UPSTREAM ? [() => startUpstream({ llmUrl: llm.url })] : [])],
    STARTUP_RUNS,
  );
  log(`  ours ${oursStartup.map((t) => t.toFixed(0)).join(", ")} ms; upstream ${upstreamStartup.map((t) => t.toFixed(0)).join(", ") || "not installed"}`);

  const ours = await prepare("ours", () => startOurs({ llmUrl: llm.url }));
  ours.startupMs = oursStartup;
  servers.push(ours);
  const off = await prepare("ours, validation off", () => startOurs({ llmUrl: llm.url, env: VALIDATION_OFF }));
  servers.push(off);
  let upstream: Measured | undefined;
  if (WITH_UPSTREAM) {
    upstream = await prepare("upstream", () => startUpstream({ llmUrl: llm.url }));
    upstream.startupMs = upstreamStartup;
    servers.push(upstream);
  }

  for (const [index, [name]] of readPaths("").entries())
    if (!ONLY || ONLY.some((part) => name.includes(part))) await loadInterleaved(servers, name, (m) => readPaths(m.busy)[index]![1]);
  const compared = servers.filter((m) => m !== off);
  if (!ONLY) await loadInterleaved(compared, "POST /session", () => ({ method: "POST", path: "/session", body: {} }));
  for (const m of ONLY ? [] : compared) {
    m.fanOut = await sseFanOut(m.target.url, { subscribers: SUBSCRIBERS, rounds: EVENTS });
    log(`  ${m.label.padEnd(22)} SSE fan-out: p50 ${m.fanOut.p50.toFixed(1)} ms  p99 ${m.fanOut.p99.toFixed(1)} ms  max ${m.fanOut.max.toFixed(1)} ms  missed ${m.fanOut.missed}`);
  }
  for (const m of ONLY || !PROMPTS ? [] : compared) {
    m.firstDelta = await promptToFirstDelta(m.target, { rounds: PROMPTS });
    const r = m.firstDelta;
    log(`  ${m.label.padEnd(22)} prompt_async to first delta: p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  max ${r.max.toFixed(1)} ms  missed ${r.missed}`);
  }
  for (const m of servers) m.loadedRss = rssMiB(m.target.pid);
  await new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000));
  for (const m of servers) m.settledRss = rssMiB(m.target.pid);
  // After the RSS figure above: these two add sessions and connections of their own.
  if (POOL)
    for (const m of compared) {
      m.pool = await promptPool(m.target, { sessions: POOL });
      log(
        `  ${m.label.padEnd(22)} pool: ${m.pool.finished} of ${m.pool.sessions} finished in ${m.pool.seconds.toFixed(2)} s, ${m.pool.turnsPerSecond.toFixed(1)} turns/s; ` +
          `GET /global/health meanwhile p50 ${m.pool.healthP50.toFixed(1)} ms  p99 ${m.pool.healthP99.toFixed(1)} ms  max ${m.pool.healthMax.toFixed(1)} ms (${m.pool.healthSamples} samples)`,
      );
    }
  if (IDLE_SSE)
    for (const m of compared) {
      m.idle = await idleStreams(m.target, { clients: IDLE_SSE, holdSeconds: IDLE_SSE_SECONDS });
      log(
        `  ${m.label.padEnd(22)} ${m.idle.connected} idle SSE clients: RSS ${m.idle.beforeMiB.toFixed(0)} -> ${m.idle.heldMiB.toFixed(0)} MiB (+${m.idle.growthMiB.toFixed(0)})`,
      );
    }

  console.log(
    `\n${SECONDS} s per path and server in ${ROUNDS_PER_PATH} alternating rounds (median round), ${CONNECTIONS} keep-alive connections ` +
      `from a node:http client in the bench process; node ${process.version}; ${upstream ? "upstream: opencode serve (opencode-ai)" : "upstream not installed"}\n`,
  );
  console.log(table(ours, off, upstream));
} finally {
  for (const m of servers) await m.target.stop();
  await llm.stop();
  removeScratch();
}
