// Server CPU time per request on some read paths, for working on one path on a shared machine:
// req/s moves with whatever else runs, the CPU the server spent per answer much less.
//   npx tsx scripts/bench/cpu-per-request.ts [/path ...]   ({busy}: the session with 200 messages)
// Starts ours from dist/ (npm run build first), seeds as the benchmark does, loads each path
// three times for 3 s and prints the server's user+system CPU per answer (/proc/<pid>/stat).
import { load } from "./load.js";
import { seed } from "./seed.js";
import { removeScratch, startOurs } from "./targets.js";

const paths = process.argv.slice(2).length ? process.argv.slice(2) : ["/global/health", "/path", "/session", "/session/{busy}/message", "/config", "/agent"];

const target = await startOurs({ env: process.env.AGENTPOOL_BENCH_VALIDATION ? { AGENTPOOL_BENCH_VALIDATION: process.env.AGENTPOOL_BENCH_VALIDATION } : {} });
try {
  const { busy } = await seed(target);
  for (const route of paths) {
    const spec = { path: route.replace("{busy}", busy) };
    await load(target.url, spec, { seconds: 1, connections: 16 });
    const figures: string[] = [];
    for (let round = 0; round < 3; round++) {
      const result = await load(target.url, spec, { seconds: 3, connections: 16, pid: target.pid });
      figures.push(`${((result.cpuSeconds! / result.answers) * 1e6).toFixed(0)} µs (${result.rps.toFixed(0)} req/s)`);
    }
    console.log(`${route.padEnd(28)} CPU per answer: ${figures.join(", ")}`);
  }
} finally {
  await target.stop();
  removeScratch();
}
