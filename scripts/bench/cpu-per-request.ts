// Server CPU time per request on some read paths, for working on one path on a shared machine:
// req/s moves with whatever else runs, the CPU the server spent per answer much less.
//   npx tsx scripts/bench/cpu-per-request.ts [/path ...]   ({busy}: the session with 200 messages)
// Starts ours from dist/ (npm run build first), seeds as the benchmark does, loads each path
// three times for 3 s and prints the server's user+system CPU per answer (/proc/<pid>/stat).
import { readFileSync } from "node:fs";
import { load } from "./load.js";
import { seed } from "./seed.js";
import { removeScratch, startOurs } from "./targets.js";

const TICKS_PER_SECOND = 100;
const paths = process.argv.slice(2).length ? process.argv.slice(2) : ["/global/health", "/path", "/session", "/session/{busy}/message", "/config", "/agent"];

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const [utime, stime] = stat.slice(stat.lastIndexOf(")") + 2).split(" ").slice(11, 13).map(Number);
  return (utime! + stime!) / TICKS_PER_SECOND;
}

const target = await startOurs({ env: process.env.AGENTPOOL_BENCH_VALIDATION ? { AGENTPOOL_BENCH_VALIDATION: process.env.AGENTPOOL_BENCH_VALIDATION } : {} });
try {
  const { busy } = await seed(target);
  for (const route of paths) {
    const spec = { path: route.replace("{busy}", busy) };
    await load(target.url, spec, { seconds: 1, connections: 16 });
    const figures: string[] = [];
    for (let round = 0; round < 3; round++) {
      const before = cpuSeconds(target.pid);
      const result = await load(target.url, spec, { seconds: 3, connections: 16 });
      const cpu = cpuSeconds(target.pid) - before;
      figures.push(`${((cpu / (result.rps * 3)) * 1e6).toFixed(0)} µs (${result.rps.toFixed(0)} req/s)`);
    }
    console.log(`${route.padEnd(28)} CPU per answer: ${figures.join(", ")}`);
  }
} finally {
  await target.stop();
  removeScratch();
}
