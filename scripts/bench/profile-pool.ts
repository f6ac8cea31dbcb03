// A CPU profile of ours during the benchmark's pool (scripts/bench/pool.ts), for finding where a
// turn's time goes:   npx tsx scripts/bench/profile-pool.ts [sessions]
// Writes the .cpuprofile (open it in Chrome DevTools) and prints the pool's figures.
import { mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promptPool } from "./pool.js";
import { removeScratch, startOurs } from "./targets.js";

const sessions = Number(process.argv[2] ?? 200);
const dir = mkdtempSync(path.join(os.tmpdir(), "agentpool-pool-profile-"));
const target = await startOurs({ nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
try {
  const result = await promptPool(target, { sessions });
  console.log(
    `${result.finished} of ${result.sessions} in ${result.seconds.toFixed(2)} s, ${result.turnsPerSecond.toFixed(1)} turns/s; ` +
      `health p50 ${result.healthP50.toFixed(1)} ms, p99 ${result.healthP99.toFixed(1)} ms`,
  );
} finally {
  await target.stop();
  removeScratch();
}
console.log(path.join(dir, readdirSync(dir)[0]!));
