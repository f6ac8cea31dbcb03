// Requests per second and latency percentiles of the whole HTTP path (CORS, auth, routing,
// request and response validation), on loopback. Prints figures; asserts nothing.
//   npx tsx scripts/bench/http.ts [requests] [concurrency]
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { percentile, startBenchServer } from "./bench-server.js";

const total = Number(process.argv[2] ?? 5000);
const concurrency = Number(process.argv[3] ?? 16);

const scratch = mkdtempSync(path.join(os.tmpdir(), "agentpool-bench-"));
const server = await startBenchServer(scratch);

const cases: [string, string, RequestInit?][] = [
  ["GET /global/health", "/global/health"],
  ["GET /path?directory=", `/path?directory=${encodeURIComponent(os.tmpdir())}`],
  [
    "POST /session/{id}/message, invalid (400)",
    "/session/ses_x/message",
    { method: "POST", headers: { "content-type": "application/json" }, body: "{}" },
  ],
];

for (const [name, url, init] of cases) {
  for (let i = 0; i < 200; i++) await (await fetch(server.url + url, init)).arrayBuffer(); // warm-up
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const t = performance.now();
        await (await fetch(server.url + url, init)).arrayBuffer();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(44)} ${(latencies.length / seconds).toFixed(0).padStart(6)} req/s   p50 ${percentile(latencies, 50).toFixed(2)} ms   p99 ${percentile(latencies, 99).toFixed(2)} ms`,
  );
}
console.log(
  `server RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (client in the same process), ${total} requests per case, concurrency ${concurrency}`,
);
await server.close();
