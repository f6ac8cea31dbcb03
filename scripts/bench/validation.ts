// What routing and request validation cost per request, with openapi-backend's own routing and
// with the cached routing the server uses. Prints figures; asserts nothing.
//   npx tsx scripts/bench/validation.ts [iterations]
import { loadServedSpec } from "../../src/contract/served-spec.js";
import { createBackend, type Backend } from "../../src/server/openapi.js";

const iterations = Number(process.argv[2] ?? 2000);

const requests = [
  { name: "GET /global/health (exact path)", req: { method: "GET", path: "/global/health", query: {}, headers: {} } },
  {
    name: "GET /session/{id}/message (template)",
    req: { method: "GET", path: "/session/ses_abc/message", query: { limit: "10" }, headers: {} },
  },
  {
    name: "POST /session/{id}/message (template + body)",
    req: {
      method: "POST",
      path: "/session/ses_abc/message",
      query: {},
      headers: { "content-type": "application/json" },
      body: { parts: [{ type: "text", text: "hello" }], agent: "build" },
    },
  },
];

function timeMicros(fn: () => void, n: number): number {
  for (let i = 0; i < Math.min(200, n); i++) fn(); // warm-up, and lazy validator compilation
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1000 / n;
}

async function measure(label: string, api: Backend): Promise<void> {
  console.log(`\n${label}`);
  for (const { name, req } of requests) {
    const route = timeMicros(() => api.router.matchOperation(req as never, true), iterations);
    const operation = api.router.matchOperation(req as never, true);
    const validate = timeMicros(() => api.validator.validateRequest(req as never, operation), iterations);
    console.log(
      `  ${name.padEnd(46)} route ${route.toFixed(1).padStart(7)} µs   route+validate ${(route + validate).toFixed(1).padStart(7)} µs`,
    );
  }
}

const doc = loadServedSpec();
let t = performance.now();
const uncached = await createBackend(doc, { cache: false });
console.log(`openapi-backend init (quick mode, 190 operations): ${(performance.now() - t).toFixed(0)} ms`);
await measure("openapi-backend routing as shipped (operation list rebuilt per lookup):", uncached);
t = performance.now();
const cached = await createBackend(doc);
console.log(`\ninit with cached routing: ${(performance.now() - t).toFixed(0)} ms`);
await measure("cached routing (what the server runs):", cached);
console.log(`\nRSS after both: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
