// `npm run bench:pool`: the pool on PostgreSQL, one node against three. The same number of
// sessions (BENCH_POOL, 200) is prompted at once (prompt_async, spread over the nodes in turn);
// the built-in scripted model answers each with one tool call and a reply. Every node has an
// /event subscriber for the project, so each run's events are seen where they happen and on the
// other nodes. Prints, per pool size: turns per second, time from a prompt to its first delta
// (on the node that runs it), and how much later the other nodes' subscribers get an event than
// the running node's own (the cross-node delivery latency). Real measurements only.
//
// Needs the built dist/ (built first unless BENCH_BUILD=0) and PostgreSQL: a throwaway cluster
// of the machine's PostgreSQL binaries (as the tests start it), or AGENTPOOL_BENCH_DATABASE_URL.
// The nodes share the machine here; on separate machines each would have its own cores.
import { execFileSync } from "node:child_process";
import http from "node:http";
import { startPostgres, type PostgresCluster } from "../../test/support/postgres.js";
import { percentile, sseDataReader } from "./load.js";
import { POOL_PROMPT } from "./pool.js";
import { ROOT, removeScratch, startOurs, type Target } from "./targets.js";

const SESSIONS = Number(process.env.BENCH_POOL ?? 200);
const TIMEOUT_MS = 300_000;

interface PoolNodesResult {
  nodes: number;
  finished: number;
  seconds: number;
  turnsPerSecond: number;
  firstDeltaP50: number;
  firstDeltaP99: number;
  crossNodeP50: number;
  crossNodeP99: number;
  crossNodeSamples: number;
}

type Frame = { id?: string; type?: string; properties?: { sessionID?: string } };

/** One node's /event stream; calls `onFrame` with each frame and the time it arrived. */
function subscribe(target: Target, onFrame: (frame: Frame, at: number) => void): Promise<http.ClientRequest> {
  const base = new URL(target.url);
  const path = `/event?directory=${encodeURIComponent(target.project)}`;
  return new Promise((resolve, reject) => {
    const read = sseDataReader((data) => onFrame(JSON.parse(data) as Frame, performance.now()));
    const req = http.get({ host: base.hostname, port: base.port, path, agent: false }, (res) => {
      res.setEncoding("utf8");
      res.on("data", read);
      resolve(req);
    });
    req.on("error", reject);
  });
}

async function post(url: string, body: unknown): Promise<Response> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res;
}

async function measure(databaseUrl: string, count: number): Promise<PoolNodesResult> {
  const first = await startOurs({ serveArgs: ["--database", databaseUrl] });
  const nodes = [first];
  for (let i = 1; i < count; i++) nodes.push(await startOurs({ serveArgs: ["--database", databaseUrl], project: first.project }));
  try {
    // Each session runs on the node its prompt went to: its index in `nodes`.
    const runsOn = new Map<string, number>();
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const node = nodes[i % count]!;
      const res = await fetch(`${node.url}/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: `pool ${i}` }) });
      const id = ((await res.json()) as { id: string }).id;
      ids.push(id);
      runsOn.set(id, i % count);
    }
    const sentAt = new Map<string, number>();
    const firstDelta = new Map<string, number>();
    // Per event id: when the running node's subscriber got it, and when the others did.
    const ownArrival = new Map<string, number>();
    const otherArrivals = new Map<string, number[]>();
    const waiting = new Set(ids);
    let lastIdle = 0;
    let allIdle!: () => void;
    const done = new Promise<void>((resolve) => (allIdle = resolve));
    const streams = await Promise.all(
      nodes.map((_, index) =>
        subscribe(nodes[index]!, (frame, at) => {
          const sessionID = frame.properties?.sessionID;
          if (!sessionID || !runsOn.has(sessionID) || !frame.id) return;
          const own = runsOn.get(sessionID) === index;
          if (own) ownArrival.set(frame.id, at);
          else otherArrivals.set(frame.id, [...(otherArrivals.get(frame.id) ?? []), at]);
          if (own && frame.type === "message.part.delta" && !firstDelta.has(sessionID)) firstDelta.set(sessionID, at - sentAt.get(sessionID)!);
          if (own && frame.type === "session.idle" && waiting.delete(sessionID)) {
            lastIdle = at;
            if (!waiting.size) allIdle();
          }
        }),
      ),
    );
    const started = performance.now();
    await Promise.all(
      ids.map((id) => {
        sentAt.set(id, performance.now());
        return post(`${nodes[runsOn.get(id)!]!.url}/session/${id}/prompt_async`, { parts: [{ type: "text", text: POOL_PROMPT }] });
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, TIMEOUT_MS)))]);
    clearTimeout(timer);
    // The other nodes' copies of the last events are still on their way: a moment for them.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const stream of streams) stream.destroy();
    const firstDeltas = [...firstDelta.values()].sort((a, b) => a - b);
    const cross: number[] = [];
    for (const [id, arrivals] of otherArrivals) {
      const own = ownArrival.get(id);
      if (own !== undefined) for (const at of arrivals) cross.push(at - own);
    }
    cross.sort((a, b) => a - b);
    const finished = SESSIONS - waiting.size;
    const seconds = ((finished ? lastIdle : performance.now()) - started) / 1000;
    return {
      nodes: count,
      finished,
      seconds,
      turnsPerSecond: finished / seconds,
      firstDeltaP50: percentile(firstDeltas, 50),
      firstDeltaP99: percentile(firstDeltas, 99),
      crossNodeP50: percentile(cross, 50),
      crossNodeP99: percentile(cross, 99),
      crossNodeSamples: cross.length,
    };
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_BUILD !== "0") execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  let cluster: PostgresCluster | undefined;
  const given = process.env.AGENTPOOL_BENCH_DATABASE_URL;
  const database = async () => (given ? given : (cluster ??= await startPostgres()).createDatabase());
  try {
    const results: PoolNodesResult[] = [];
    // A fresh database per pool size: the same empty start for both.
    for (const count of [1, 3]) results.push(await measure(await database(), count));
    const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "-");
    console.log(`\n${SESSIONS} sessions prompted at once on PostgreSQL (one tool call each), ${new Date().toISOString().slice(0, 10)}\n`);
    console.log("| nodes | finished | turns/s | prompt → first delta p50 / p99 (ms) | other nodes' delivery delay p50 / p99 (ms) |");
    console.log("|---|---|---|---|---|");
    for (const r of results)
      console.log(
        `| ${r.nodes} | ${r.finished}/${SESSIONS} in ${f(r.seconds)} s | ${f(r.turnsPerSecond)} | ${f(r.firstDeltaP50)} / ${f(r.firstDeltaP99)} | ${r.crossNodeSamples ? `${f(r.crossNodeP50)} / ${f(r.crossNodeP99)}` : "-"} |`,
      );
  } finally {
    cluster?.stop();
    removeScratch();
  }
}

await main();
