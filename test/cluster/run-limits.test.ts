// Caps on concurrent runs (`agentpool serve --run-limit provider:fake=1`, AGENTPOOL_RUN_LIMITS),
// on real `agentpool serve` processes and a scripted slow model: a run over the cap waits (its
// session busy) until a slot frees, before its model request starts; across two nodes on one
// PostgreSQL database the cap holds for the pool and runs go in the order they were sent; a cap
// of 2 lets two run at once; an aborted waiting run leaves nobody waiting behind it; a sub-agent
// (task tool) runs inside its parent's slots instead of waiting for them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeLlmRepo } from "../support/llm-project.js";
import { lastUserText, startScriptedLlm, type ScriptedLlm } from "../support/scripted-llm.js";
import { startPostgres, type PostgresCluster } from "../support/postgres.js";
import { jsonInit } from "../support/json-init.js";
import { killServed, okJson, serveProcess, stopServed, type ServedNode } from "../support/serve-process.js";

let postgres: PostgresCluster;
let llm: ScriptedLlm;
let repo: { dir: string };
/** When each run's model request arrived (this process's clock; the servers share the machine's). */
const started = new Map<string, number>();

const WORDS = 50;
const slowText = Array.from({ length: WORDS }, (_, i) => `w${i}`).join(" ");

beforeAll(async () => {
  postgres = await startPostgres();
  llm = await startScriptedLlm({
    script: (request) => {
      const text = lastUserText(request);
      if (!text.startsWith("run ")) return undefined; // titles and the like: the default fake
      started.set(text, Date.now());
      return { kind: "text", text: slowText, delayMs: 30 };
    },
  });
  repo = makeLlmRepo("run-limits", llm.url);
});

afterAll(async () => {
  killServed();
  await llm?.stop();
  postgres?.stop();
});

type Reply = { info: { id: string; role: string; error?: { name: string }; time: { created: number; completed?: number } } };

const newSession = async (node: ServedNode) => (await okJson<{ id: string }>(`${node.url}/session`, jsonInit("POST", {}))).id;

/** Prompts `run <name>` and resolves with its assistant reply once the run is over. */
const prompt = (node: ServedNode, sessionID: string, name: string) =>
  okJson<Reply>(`${node.url}/session/${sessionID}/message`, jsonInit("POST", { parts: [{ type: "text", text: `run ${name}` }] }));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function whenStarted(name: string): Promise<number> {
  await expect.poll(() => started.has(`run ${name}`), { timeout: 20_000, interval: 20 }).toBe(true);
  return started.get(`run ${name}`)!;
}

const completed = (reply: Reply) => {
  expect(reply.info.role).toBe("assistant");
  expect(reply.info.error).toBeUndefined();
  return reply.info.time.completed!;
};

describe("run limits", () => {
  it("on one node (AGENTPOOL_RUN_LIMITS), starts a second run's model request only once the first run is over", async () => {
    const node = await serveProcess(repo.dir, [], { AGENTPOOL_RUN_LIMITS: "provider:fake=1" });
    const [a, b] = [await newSession(node), await newSession(node)];
    const replies = Promise.all([prompt(node, a, "one-a"), prompt(node, b, "one-b")]);
    // Both runs are busy at once, one of them waiting for the slot.
    await expect
      .poll(async () => Object.keys(await okJson<Record<string, unknown>>(`${node.url}/session/status`)).sort(), {
        timeout: 10_000,
        interval: 20,
      })
      .toEqual([a, b].sort());
    const [ra, rb] = await replies;
    const runs = [
      { started: started.get("run one-a")!, completed: completed(ra) },
      { started: started.get("run one-b")!, completed: completed(rb) },
    ].sort((x, y) => x.started - y.started);
    expect(runs[1]!.started).toBeGreaterThanOrEqual(runs[0]!.completed);
    await stopServed(node);
  }, 60_000);

  it("holds a cap of 1 across two nodes on one PostgreSQL database, running prompts in the order sent", async () => {
    const url = await postgres.createDatabase();
    const n1 = await serveProcess(repo.dir, ["--database", url, "--run-limit", "provider:fake=1"]);
    const n2 = await serveProcess(repo.dir, ["--database", url, "--run-limit", "provider:fake=1"]);
    const [a, b, c] = [await newSession(n1), await newSession(n2), await newSession(n1)];
    const first = prompt(n1, a, "pool-a");
    await whenStarted("pool-a");
    // B (on the other node) is sent, and has waited a moment, before C.
    const second = prompt(n2, b, "pool-b");
    await pause(500);
    const third = prompt(n1, c, "pool-c");
    const [ra, rb, rc] = await Promise.all([first, second, third]);
    expect(started.get("run pool-b")!).toBeGreaterThanOrEqual(completed(ra));
    expect(started.get("run pool-c")!).toBeGreaterThanOrEqual(completed(rb));
    completed(rc);
    await Promise.all([stopServed(n1), stopServed(n2)]);
  }, 90_000);

  it("lets two runs go at once across the pool with a cap of 2", async () => {
    const url = await postgres.createDatabase();
    const n1 = await serveProcess(repo.dir, ["--database", url, "--run-limit", "provider:fake=2"]);
    const n2 = await serveProcess(repo.dir, ["--database", url], { AGENTPOOL_RUN_LIMITS: "provider:fake=2" });
    const [a, b] = [await newSession(n1), await newSession(n2)];
    const [ra, rb] = await Promise.all([prompt(n1, a, "two-a"), prompt(n2, b, "two-b")]);
    // Each started before the other finished: they overlapped.
    expect(started.get("run two-b")!).toBeLessThan(completed(ra));
    expect(started.get("run two-a")!).toBeLessThan(completed(rb));
    await Promise.all([stopServed(n1), stopServed(n2)]);
  }, 60_000);

  it("ends a run aborted while it waits for a slot, leaving no place in line that holds up the next", async () => {
    const url = await postgres.createDatabase();
    const n1 = await serveProcess(repo.dir, ["--database", url, "--run-limit", "provider:fake=1"]);
    const n2 = await serveProcess(repo.dir, ["--database", url, "--run-limit", "provider:fake=1"]);
    const [a, b, c] = [await newSession(n1), await newSession(n2), await newSession(n1)];
    const first = prompt(n1, a, "abort-a");
    await whenStarted("abort-a");
    const waiting = prompt(n2, b, "abort-b");
    await pause(500);
    expect(await okJson<boolean>(`${n2.url}/session/${b}/abort`, jsonInit("POST", {}))).toBe(true);
    // The aborted prompt is answered (its user message: no model was called) and its session idle.
    const aborted = await waiting;
    expect(aborted.info.role).toBe("user");
    await expect.poll(async () => Object.keys(await okJson<Record<string, unknown>>(`${n2.url}/session/status`))).not.toContain(b);
    const ra = await first;
    const rc = await prompt(n1, c, "abort-c");
    expect(started.get("run abort-c")!).toBeGreaterThanOrEqual(completed(ra));
    completed(rc);
    expect(started.has("run abort-b")).toBe(false);
    await Promise.all([stopServed(n1), stopServed(n2)]);
  }, 60_000);

  it("runs a sub-agent's session inside its parent's run, taking no slot of its own", async () => {
    const limits = ["--run-limit", "provider:fake=1", "--run-limit", "agent:build=1", "--run-limit", "agent:general=1"];
    const node = await serveProcess(repo.dir, limits);
    const session = await newSession(node);
    // The default script: the task tool, whose child session (agent general) asks the same provider.
    const reply = await okJson<Reply>(
      `${node.url}/session/${session}/message`,
      jsonInit("POST", { parts: [{ type: "text", text: "use task" }] }),
    );
    completed(reply);
    const messages = await okJson<{ parts: { type: string; text?: string }[] }[]>(`${node.url}/session/${session}/message`);
    const text = messages.at(-1)!.parts.find((part) => part.type === "text")?.text;
    expect(text).toContain("Hello from fake LLM. You said: say hello from the subagent");
    await stopServed(node);
  }, 30_000);
});
