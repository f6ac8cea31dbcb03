// `npm run bench`: ours and (when opencode-ai is installed) the real `opencode serve`, each
// started fresh as its own process with the same seeded data, measured in one run; prints a
// markdown table with the ratios. Real measurements only; nothing here is asserted anywhere.
//
// Settings (environment): BENCH_SECONDS (per path, default 5), BENCH_CONNECTIONS (16),
// BENCH_SUBSCRIBERS (200), BENCH_ROUNDS (SSE events, 20), BENCH_STARTUP_RUNS (5),
// BENCH_UPSTREAM=0 (ours only), BENCH_BUILD=0 (use the dist/ there is).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { startScriptedLlm } from "../../test/support/scripted-llm.js";
import { load, percentile, sseFanOut, type LoadResult, type RequestSpec } from "./load.js";
import { seed } from "./seed.js";
import { REPLY_TEXT, ROOT, removeScratch, rssMiB, startOurs, startUpstream, upstreamInstalled, type StartOptions, type Target } from "./targets.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const WITH_UPSTREAM = process.env.BENCH_UPSTREAM !== "0" && upstreamInstalled();
/** The bench-only switch that turns request and response validation off (src/server/openapi.ts). */
const VALIDATION_OFF = { AGENTPOOL_BENCH_VALIDATION: "off" };

type Starter = (options?: StartOptions) => Promise<Target>;

interface Figures {
  startupMs: number[];
  idleRss: number;
  loadedRss: number;
  paths: Map<string, LoadResult>;
  fanOut?: { p50: number; p99: number; max: number; missed: number };
  messages: number;
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

async function measureStartup(start: Starter, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const target = await start();
    times.push(target.startupMs);
    await target.stop();
  }
  return times.sort((a, b) => a - b);
}

async function measure(start: Starter, options: StartOptions, full: boolean): Promise<Figures> {
  const target = await start(options);
  log(`${target.name}${full ? "" : " (validation off)"}: answering after ${target.startupMs.toFixed(0)} ms; seeding`);
  await new Promise((r) => setTimeout(r, 2_000));
  const idleRss = rssMiB(target.pid);
  const { busy, messages } = await seed(target);
  const paths = new Map<string, LoadResult>();
  const specs = readPaths(busy);
  if (full) specs.push(["POST /session", { method: "POST", path: "/session", body: {} }]);
  for (const [name, spec] of specs) {
    const result = await load(target.url, spec, { seconds: SECONDS, connections: CONNECTIONS });
    log(`  ${name.padEnd(28)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms  ${(result.bytes / 1024).toFixed(1)} KB${result.errors ? `  ${result.errors} errors` : ""}`);
    paths.set(name, result);
  }
  let fanOut: Figures["fanOut"];
  if (full) {
    fanOut = await sseFanOut(target.url, { subscribers: SUBSCRIBERS, rounds: ROUNDS });
    log(`  SSE fan-out ${SUBSCRIBERS} subscribers: p50 ${fanOut.p50.toFixed(1)} ms p99 ${fanOut.p99.toFixed(1)} ms max ${fanOut.max.toFixed(1)} ms missed ${fanOut.missed}`);
  }
  const loadedRss = rssMiB(target.pid);
  await target.stop();
  return { startupMs: [], idleRss, loadedRss, paths, fanOut, messages };
}

// ---- table ---------------------------------------------------------------------------------

const fmt = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? "—" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));
/** Ratio where higher is better for ours: throughput ours/upstream, times and memory upstream/ours. */
const better = (ours: number | undefined, upstream: number | undefined, higherIsBetter: boolean) => {
  if (ours === undefined || upstream === undefined || !ours || !upstream) return "—";
  const ratio = higherIsBetter ? ours / upstream : upstream / ours;
  return `${ratio.toFixed(ratio < 10 ? 2 : 1)}x`;
};

function table(ours: Figures, upstream: Figures | undefined, off: Figures): string {
  const rows: string[] = [
    "| measurement | upstream | ours | ours vs upstream (>1 = ours better) | ours, validation off | validation cost |",
    "|---|---|---|---|---|---|",
  ];
  for (const [name, result] of ours.paths) {
    const up = upstream?.paths.get(name);
    const noCheck = off.paths.get(name);
    const label = name === "GET /session" ? "GET /session (50 sessions)" : name === "GET /session/{id}/message" ? `GET /session/{id}/message (${ours.messages} messages, ${fmt(result.bytes / 1024)} KB)` : name;
    const cost = noCheck ? `${(((1 / result.rps - 1 / noCheck.rps) / (1 / result.rps)) * 100).toFixed(0)}% of request time` : "—";
    rows.push(`| ${label}, req/s | ${fmt(up?.rps)} | ${fmt(result.rps)} | ${better(result.rps, up?.rps, true)} | ${noCheck ? fmt(noCheck.rps) : "—"} | ${cost} |`);
  }
  const fan = (f: Figures | undefined) => (f?.fanOut ? `${fmt(f.fanOut.p50, 1)} / ${fmt(f.fanOut.p99, 1)} ms${f.fanOut.missed ? ` (${f.fanOut.missed} missed)` : ""}` : "—");
  rows.push(`| SSE fan-out, ${SUBSCRIBERS} subscribers, delivery p50 / p99 | ${fan(upstream)} | ${fan(ours)} | ${better(ours.fanOut?.p99, upstream?.fanOut?.p99, false)} (p99) | | |`);
  const startup = (f: Figures | undefined) => (f?.startupMs.length ? percentile(f.startupMs, 50) : undefined);
  rows.push(`| startup to first answer, median of ${STARTUP_RUNS} (ms) | ${fmt(startup(upstream))} | ${fmt(startup(ours))} | ${better(startup(ours), startup(upstream), false)} | | |`);
  rows.push(`| idle RSS, fresh server (MiB) | ${fmt(upstream?.idleRss)} | ${fmt(ours.idleRss)} | ${better(ours.idleRss, upstream?.idleRss, false)} | | |`);
  rows.push(`| RSS after seeding and all load above (MiB) | ${fmt(upstream?.loadedRss)} | ${fmt(ours.loadedRss)} | ${better(ours.loadedRss, upstream?.loadedRss, false)} | | |`);
  return rows.join("\n");
}

// ---- main ----------------------------------------------------------------------------------

if (process.env.BENCH_BUILD !== "0") execFileSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { stdio: "inherit" });

const llm = await startScriptedLlm({
  // The same reply as our scripted provider's; a short title for upstream's title request (no tools).
  script: (request) => ({ kind: "text", text: request.body.tools ? REPLY_TEXT : "Bench title" }),
});
try {
  log(`startup: ${STARTUP_RUNS} fresh starts each`);
  const oursStartup = await measureStartup(startOurs, STARTUP_RUNS);
  const upstreamStartup = WITH_UPSTREAM ? await measureStartup(() => startUpstream({ llmUrl: llm.url }), STARTUP_RUNS) : [];
  log(`  ours ${oursStartup.map((t) => t.toFixed(0)).join(", ")} ms; upstream ${upstreamStartup.map((t) => t.toFixed(0)).join(", ") || "not installed"}`);

  const ours = await measure(startOurs, {}, true);
  ours.startupMs = oursStartup;
  const off = await measure(startOurs, { env: VALIDATION_OFF }, false);
  let upstream: Figures | undefined;
  if (WITH_UPSTREAM) {
    upstream = await measure(startUpstream, { llmUrl: llm.url }, true);
    upstream.startupMs = upstreamStartup;
  }
  console.log(
    `\n${SECONDS} s per path, ${CONNECTIONS} connections (node:http keep-alive client in the bench process), ` +
      `node ${process.version}, ${upstream ? "opencode serve (opencode-ai) as upstream" : "upstream not installed"}\n`,
  );
  console.log(table(ours, upstream, off));
} finally {
  await llm.stop();
  removeScratch();
}
