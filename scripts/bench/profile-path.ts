// A CPU profile of ours under load on one path, for finding where its time goes:
//   npx tsx scripts/bench/profile-path.ts [/path | "POST /path"] [seconds]   (a POST sends {})
// Seeds as the benchmark does (50 sessions, one with 200 messages; {busy} in the path is that
// session's id), loads the path, and writes the .cpuprofile (open it in Chrome DevTools).
import { mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { load } from "./load.js";
import { seed } from "./seed.js";
import { startOurs } from "./targets.js";

const [method, route] = (process.argv[2] ?? "/session/{busy}/message").includes(" ")
  ? (process.argv[2]!.split(" ") as [string, string])
  : ["GET", process.argv[2] ?? "/session/{busy}/message"];
const seconds = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(path.join(os.tmpdir(), "agentpool-profile-"));
const target = await startOurs({ nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
const { busy } = await seed(target);
const spec = { method, path: route.replace("{busy}", busy), ...(method === "GET" ? {} : { body: {} }) };
const result = await load(target.url, spec, { seconds, connections: 16 });
console.log(`${route}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(2)} ms`);
await target.stop();
console.log(path.join(dir, readdirSync(dir)[0]!));
