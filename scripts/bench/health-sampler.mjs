// A process of its own that sends GET /global/health one at a time, every SAMPLE_MS, until its
// stdin closes, then prints the latencies (ms) as JSON. Used by scripts/bench/pool.ts, so that
// the bench process's own work (reading a busy event stream) does not count as the server's lag.
// Its connection is made first (it prints "ready" then): the samples measure the loop's lag, not
// how long a new connection waits to be accepted.
//   node scripts/bench/health-sampler.mjs <url> <sampleMs>
import http from "node:http";

const [url, sampleMs] = [process.argv[2], Number(process.argv[3] ?? 20)];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const latencies = [];
let sampling = true;
process.stdin.on("end", () => (sampling = false));
process.stdin.resume();

function once() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    http
      .get(`${url}/global/health`, { agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(performance.now() - started));
      })
      .on("error", reject);
  });
}

await once();
process.stderr.write("ready\n");
while (sampling) {
  latencies.push(await once());
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
}
process.stdout.write(JSON.stringify(latencies));
agent.destroy();
