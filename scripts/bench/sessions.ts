// Figures for the session API: GET /session with 50 sessions, GET /session/{id}/message with 200
// messages, and the time from a prompt to its first message.part.delta with a scripted LLM that
// answers at once. Prints figures; asserts nothing.
//   npx tsx scripts/bench/sessions.ts [requests]
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { percentile, startBenchServer } from "./bench-server.js";
import { startScriptedLlm } from "../../test/support/scripted-llm.js";

const requests = Number(process.argv[2] ?? 2000);
const concurrency = 8;

const llm = await startScriptedLlm();
const project = mkdtempSync(path.join(os.tmpdir(), "agentpool-bench-"));
execFileSync("git", ["init", "-q", project]);
writeFileSync(
  path.join(project, "opencode.json"),
  JSON.stringify({
    model: "fake/m",
    provider: { fake: { npm: "@ai-sdk/openai-compatible", options: { baseURL: llm.url, apiKey: "k" }, models: { m: {} } } },
  }),
);
const server = await startBenchServer(project);

const post = (url: string, body: unknown) =>
  fetch(server.url + url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function load(name: string, url: string): Promise<void> {
  for (let i = 0; i < 50; i++) await (await fetch(server.url + url)).arrayBuffer();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) {
        const t = performance.now();
        await (await fetch(server.url + url)).arrayBuffer();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(42)} ${(latencies.length / seconds).toFixed(0).padStart(6)} req/s   p50 ${percentile(latencies, 50).toFixed(2)} ms   p95 ${percentile(latencies, 95).toFixed(2)} ms   p99 ${percentile(latencies, 99).toFixed(2)} ms`,
  );
}

// 50 sessions, one of them with 200 messages (100 answered prompts).
const sessions: string[] = [];
for (let i = 0; i < 50; i++) sessions.push(((await (await post("/session", { title: `bench ${i}` })).json()) as { id: string }).id);
const busy = sessions[0]!;
for (let i = 0; i < 100; i++)
  await (await post(`/session/${busy}/message`, { parts: [{ type: "text", text: `message ${i}` }] })).arrayBuffer();
const count = ((await (await fetch(`${server.url}/session/${busy}/message`)).json()) as unknown[]).length;
console.log(`setup: 50 sessions, ${count} messages in one; ${requests} requests per case, concurrency ${concurrency}`);

await load("GET /session (50 sessions)", "/session");
await load(`GET /session/{id}/message (${count} messages)`, `/session/${busy}/message`);

// Prompt to first delta, on a fresh session each time.
const firstDelta: number[] = [];
for (let i = 0; i < 30; i++) {
  const id = ((await (await post("/session", {})).json()) as { id: string }).id;
  const controller = new AbortController();
  const stream = await fetch(`${server.url}/event`, { signal: controller.signal });
  const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
  await reader.read(); // server.connected
  const started = performance.now();
  await post(`/session/${id}/prompt_async`, { parts: [{ type: "text", text: "hello" }] });
  let buffer = "";
  while (!buffer.includes('"message.part.delta"')) buffer += (await reader.read()).value ?? "";
  firstDelta.push(performance.now() - started);
  controller.abort();
  while (((await (await fetch(`${server.url}/session/status`)).json()) as Record<string, unknown>)[id])
    await new Promise((r) => setTimeout(r, 5));
}
firstDelta.sort((a, b) => a - b);
console.log(
  `prompt -> first message.part.delta (30 runs)   p50 ${percentile(firstDelta, 50).toFixed(1)} ms   p95 ${percentile(firstDelta, 95).toFixed(1)} ms   min ${firstDelta[0]!.toFixed(1)} ms`,
);
console.log(`server RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (client and LLM in the same process)`);
await server.close();
await llm.stop();
