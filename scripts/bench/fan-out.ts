// The SSE fan-out of `npm run bench` alone, on ours: 200 subscribers on /event, a session made
// per round, each subscriber's delay from the request to its session.created.
//   npx tsx scripts/bench/fan-out.ts [subscribers] [rounds]
import { sseFanOut } from "./load.js";
import { removeScratch, startOurs } from "./targets.js";

const subscribers = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 30);
const target = await startOurs();
try {
  for (let run = 0; run < 3; run++) {
    const result = await sseFanOut(target.url, { subscribers, rounds });
    console.log(
      `p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  max ${result.max.toFixed(1)} ms  missed ${result.missed}`,
    );
  }
} finally {
  await target.stop();
  removeScratch();
}
