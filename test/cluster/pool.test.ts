// Three `agentpool serve` nodes on one PostgreSQL database, behind a round-robin proxy, driven by
// the JS SDK and the real `opencode run --attach`: any node answers any request about any
// session; a permission or question asked by a run on one node is listed by every node and
// answered through another; an abort sent to another node stops the run; the status of a run is
// known everywhere; a killed node's run is finalised by the others and the session goes on; a
// node refuses a prompt whose directory it cannot see.
import { mkdirSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeLlmRepo } from "../support/llm-project.js";
import { opencodeAvailable, runOpencode } from "../support/opencode-binary.js";
import { startPostgres, type PostgresCluster } from "../support/postgres.js";
import { startRoundRobinProxy, type RoundRobinProxy } from "../support/round-robin-proxy.js";
import { defaultScript, lastUserText, startScriptedLlm, type ScriptedLlm } from "../support/scripted-llm.js";
import { sdkV2 } from "../support/sdk.js";
import { killServed, serveProcess, type ServedNode } from "../support/serve-process.js";
import { openEventReader, type EventReader } from "../support/sse.js";
import { makeTempDir } from "../support/temp.js";

const SLOW = Array.from({ length: 300 }, (_, i) => `w${i}`).join(" ");

let postgres: PostgresCluster;
let llm: ScriptedLlm;
let repo: { dir: string };
let nodes: ServedNode[];
let proxy: RoundRobinProxy;

beforeAll(async () => {
  postgres = await startPostgres();
  llm = await startScriptedLlm({
    script: (request) =>
      lastUserText(request).includes("stream slowly") && request.body.messages.at(-1)?.role === "user"
        ? { kind: "text", text: SLOW, delayMs: 30 }
        : defaultScript(request),
  });
  // bash asks: a run waits for a reply, which may reach any node.
  repo = makeLlmRepo("pool", llm.url, { permission: { bash: "ask" } });
  const url = await postgres.createDatabase();
  nodes = await Promise.all([0, 1, 2].map(() => serveProcess(repo.dir, ["--database", url], { AGENTPOOL_LEASE_TTL_MS: "1500" })));
  proxy = await startRoundRobinProxy(nodes.map((node) => node.url));
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  killServed();
  await llm?.stop();
  postgres?.stop();
});

const client = (baseUrl: string) => sdkV2({ baseUrl, directory: repo.dir });
const MODEL = { providerID: "fake", modelID: "m" };

type Frame = { type: string; properties: Record<string, unknown> };

/** A node's /event stream for the project, once connected. */
async function events(node: ServedNode): Promise<EventReader> {
  const reader = await openEventReader(`${node.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
  await reader.next((f: Frame) => f.type === "server.connected");
  return reader;
}

const ofSession = (sessionID: string, type: string) => (f: Frame) => f.type === type && f.properties.sessionID === sessionID;

/** Sends a prompt to one node without waiting for its run. */
async function promptAsync(node: ServedNode, sessionID: string, text: string): Promise<void> {
  const answer = await client(node.url).session.promptAsync({ sessionID, model: MODEL, parts: [{ type: "text", text }] });
  expect(answer.response.status).toBe(204);
}

describe("a pool of three nodes on PostgreSQL", () => {
  it("answers any request about a session through any node, as one server", async () => {
    const sdk = client(proxy.url);
    const stream = await openEventReader(`${proxy.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
    await stream.next((f: Frame) => f.type === "server.connected");
    const first = proxy.served.length;
    const session = (await sdk.session.create({ title: "pooled" })).data!;
    for (let i = 0; i < 3; i++) {
      expect((await sdk.session.list()).data!.map((s) => s.id)).toContain(session.id);
      expect((await sdk.session.get({ sessionID: session.id })).data!.title).toBe("pooled");
    }
    const reply = (await sdk.session.prompt({ sessionID: session.id, model: MODEL, parts: [{ type: "text", text: "hello pool" }] })).data!;
    expect(reply.parts.map((p) => (p as { text?: string }).text).join("")).toContain("You said: hello pool");
    // The stream is on one node and the run was on another: the run's events reached it.
    await stream.next(ofSession(session.id, "session.idle"), 15_000);
    const listings = [];
    for (let i = 0; i < 3; i++) listings.push((await sdk.session.messages({ sessionID: session.id })).data!.map((m) => m.info.id));
    expect(listings[1]).toEqual(listings[0]);
    expect(listings[2]).toEqual(listings[0]);
    expect(listings[0]).toHaveLength(2);

    const fork = (await sdk.session.fork({ sessionID: session.id })).data!;
    expect((await sdk.session.messages({ sessionID: fork.id })).data).toHaveLength(2);
    expect((await sdk.session.delete({ sessionID: fork.id })).data).toBe(true);
    for (let i = 0; i < 3; i++) expect((await sdk.session.get({ sessionID: fork.id })).response.status).toBe(404);
    // Every node took its share.
    expect(new Set(proxy.served.slice(first))).toEqual(new Set([0, 1, 2]));
    stream.close();
  });

  it("lists a run's permission request on every node and lets another node answer it", async () => {
    const [a, b, c] = nodes as [ServedNode, ServedNode, ServedNode];
    const session = (await client(a.url).session.create({})).data!;
    const watch = await events(c);
    await promptAsync(a, session.id, "use bash");
    const asked = await watch.next<Frame>(ofSession(session.id, "permission.asked"), 15_000);
    for (const node of [a, b, c]) expect((await client(node.url).permission.list()).data!.map((r) => r.id)).toContain(asked.properties.id);
    expect((await client(b.url).permission.reply({ requestID: asked.properties.id as string, reply: "once" })).data).toBe(true);
    await watch.next(ofSession(session.id, "permission.replied"), 10_000);
    await watch.next(ofSession(session.id, "session.idle"), 15_000);
    const parts = (await client(c.url).session.messages({ sessionID: session.id })).data!.flatMap((m) => m.parts);
    const bash = parts.find((p) => p.type === "tool") as { state: { status: string; output?: string } } | undefined;
    expect(bash?.state.status).toBe("completed");
    expect(bash?.state.output).toContain("hi");
    for (const node of [a, b, c]) expect((await client(node.url).permission.list()).data).toEqual([]);
    // A request nobody waits for any more is unknown everywhere.
    expect((await client(c.url).permission.reply({ requestID: asked.properties.id as string, reply: "once" })).response.status).toBe(404);
    watch.close();
  });

  it("lets another node answer a run's question", async () => {
    const [a, b, c] = nodes as [ServedNode, ServedNode, ServedNode];
    const session = (await client(a.url).session.create({})).data!;
    const watch = await events(b);
    await promptAsync(a, session.id, "ask question");
    const asked = await watch.next<Frame>(ofSession(session.id, "question.asked"), 15_000);
    expect((await client(b.url).question.list()).data!.map((q) => q.id)).toContain(asked.properties.id);
    expect((await client(c.url).question.reply({ requestID: asked.properties.id as string, answers: [["Blue"]] })).data).toBe(true);
    await watch.next(ofSession(session.id, "question.replied"), 10_000);
    await watch.next(ofSession(session.id, "session.idle"), 15_000);
    const parts = (await client(b.url).session.messages({ sessionID: session.id })).data!.flatMap((m) => m.parts);
    const question = parts.find((p) => p.type === "tool") as { state: { status: string; output?: string } } | undefined;
    expect(question?.state.status).toBe("completed");
    expect(question?.state.output).toContain("Blue");
    watch.close();
  });

  it("shows a run as busy on every node, and stops it when another node is asked to abort", async () => {
    const [a, b, c] = nodes as [ServedNode, ServedNode, ServedNode];
    const session = (await client(a.url).session.create({})).data!;
    const watch = await events(b);
    await promptAsync(a, session.id, "stream slowly");
    await watch.next(ofSession(session.id, "message.part.delta"), 15_000);
    for (const node of [a, b, c]) expect((await client(node.url).session.status()).data![session.id]).toEqual({ type: "busy" });
    const asked = Date.now();
    expect((await client(c.url).session.abort({ sessionID: session.id })).data).toBe(true);
    await watch.next(ofSession(session.id, "session.idle"), 10_000);
    expect(Date.now() - asked).toBeLessThan(5_000);
    // As upstream, the first idle comes before the reply is finalised as aborted.
    const lastOnB = async () => {
      const messages = (await client(b.url).session.messages({ sessionID: session.id })).data!;
      return messages.at(-1)!.info as { role: string; error?: { name: string } };
    };
    await expect.poll(async () => (await lastOnB()).error?.name, { timeout: 3_000 }).toBe("MessageAbortedError");
    expect((await lastOnB()).role).toBe("assistant");
    // Idle everywhere soon after (another node's view comes from the database).
    for (const node of [a, b, c])
      await expect.poll(async () => (await client(node.url).session.status()).data![session.id], { timeout: 3_000 }).toBeUndefined();
    watch.close();
  });

  it.skipIf(!opencodeAvailable())("serves `opencode run --attach` through the proxy, its requests spread over the nodes", async () => {
    const first = proxy.served.length;
    const run = await runOpencode(["run", "--attach", proxy.url, "--model", "fake/m", "hello from the cli"], repo.dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/You said: "?hello from the cli/);
    expect(new Set(proxy.served.slice(first)).size).toBeGreaterThan(1);
  });

  it("refuses a prompt whose directory the node cannot see, with a clear 400", async () => {
    const gone = makeTempDir("pool-gone");
    mkdirSync(gone, { recursive: true });
    const session = (await sdkV2({ baseUrl: proxy.url, directory: gone }).session.create({})).data!;
    rmSync(gone, { recursive: true, force: true });
    const answer = await fetch(`${proxy.url}/session/${session.id}/message`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, parts: [{ type: "text", text: "anyone there?" }] }),
    });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(await answer.json())).toContain("does not exist on this server");
  });

  it("finalises the run of a node killed mid-reply from another node, and the session takes the next prompt", async () => {
    const [a, b, c] = nodes as [ServedNode, ServedNode, ServedNode];
    const session = (await client(c.url).session.create({})).data!;
    const watch = await events(a);
    await promptAsync(c, session.id, "stream slowly");
    await watch.next(ofSession(session.id, "message.part.delta"), 15_000);
    process.kill(-c.child.pid!, "SIGKILL");
    const killed = Date.now();
    const finalised = await watch.next<Frame>(
      (f) =>
        f.type === "message.updated" &&
        (f.properties.info as { sessionID: string; error?: unknown }).sessionID === session.id &&
        (f.properties.info as { error?: unknown }).error !== undefined,
      15_000,
    );
    expect((finalised.properties.info as { error: { name: string } }).error.name).toBe("MessageAbortedError");
    expect(Date.now() - killed).toBeLessThan(8_000);
    const reply = (
      await client(b.url).session.prompt({ sessionID: session.id, model: MODEL, parts: [{ type: "text", text: "after the crash" }] })
    ).data!;
    expect(reply.parts.map((p) => (p as { text?: string }).text).join("")).toContain("You said: after the crash");
    watch.close();
  });
});
