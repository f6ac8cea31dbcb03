// Takes the README's screenshots of the web console (docs/console-*.png): a server on a throw-away
// git repository with the demo script, a few sessions in different states (done, waiting for a
// permission, asking a question, busy), then the pool and a session in chromium.
//   npx tsx scripts/console-screenshots.ts
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { createLogger } from "../src/server/logger.js";
import { startServer } from "../src/server/start.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DOCS = path.join(ROOT, "docs");
const scratch = mkdtempSync(path.join(os.tmpdir(), "agentpool-screens-"));
const project = path.join(scratch, "checkout-service");
mkdirSync(project);
const git = (...args: string[]) =>
  execFileSync("git", args, { cwd: project, env: { ...process.env, GIT_AUTHOR_NAME: "a", GIT_AUTHOR_EMAIL: "a@example.com", GIT_COMMITTER_NAME: "a", GIT_COMMITTER_EMAIL: "a@example.com" } });
git("init", "-q", "-b", "main");
writeFileSync(path.join(project, "README.md"), "# checkout-service\n");
writeFileSync(path.join(project, "package.json"), "{}\n");
git("add", ".");
git("commit", "-q", "-m", "first");

execFileSync(process.execPath, [path.join(ROOT, "node_modules/vite/bin/vite.js"), "build", "web", "--logLevel", "warn"], { cwd: ROOT, stdio: "inherit" });
const server = await startServer({
  config: {
    projectDirectory: project,
    dataDirectory: path.join(scratch, "data"),
    hostname: "127.0.0.1",
    port: 0,
    corsOrigins: [],
    contractMode: "fail",
    heartbeatMs: 10_000,
  },
  log: createLogger({ level: "WARN", file: path.join(scratch, "log"), printLogs: false }),
});

async function post(route: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(`${server.url}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  return text ? (JSON.parse(text) as { id: string }) : { id: "" };
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const busy = async () => Object.keys((await (await fetch(`${server.url}/session/status`)).json()) as object).length;
const DEMO = { providerID: "scripted", modelID: "demo" };

async function session(prompts: string[], wait = true): Promise<string> {
  const { id } = await post("/session", {});
  for (const text of prompts) {
    await post(`/session/${id}/prompt_async`, { model: DEMO, parts: [{ type: "text", text }] });
    if (wait) while ((await busy()) > 0) await sleep(100);
  }
  return id;
}

const main = await session(["run a command", "make a plan", "think about the next step"]);
await session(["write a file"]);
await session(["read a system file"], false);
await sleep(800);
await session(["ask me a question"], false);
await sleep(800);
await session(["slow"], false);
await sleep(1500);

const browser = await chromium.launch({ headless: true, executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
mkdirSync(DOCS, { recursive: true });
const laptop = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await laptop.goto(`${server.url}/`);
await laptop.getByText("Permission: external_directory").waitFor();
await laptop.screenshot({ path: path.join(DOCS, "console-pool.png") });
await laptop.goto(`${server.url}/s/${main}`);
await laptop.getByText("That was a reasoning part").waitFor();
await laptop.evaluate("window.scrollTo(0, 0)");
await laptop.screenshot({ path: path.join(DOCS, "console-session.png") });
const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: "dark", deviceScaleFactor: 2 });
await phone.goto(`${server.url}/s/${main}`);
await phone.getByText("That was a reasoning part").waitFor();
await phone.screenshot({ path: path.join(DOCS, "console-session-phone-dark.png") });
await browser.close();
await server.close();
rmSync(scratch, { recursive: true, force: true });
console.log(`screenshots written to ${DOCS}`);
