// The v2 session log shared by two `agentpool serve` processes on one PostgreSQL database: a
// session prompted on node A has the same history on node B; B's /api/event and
// /api/session/{id}/event stream A's session.next.* events live, in order, each once; and a client
// that read part of A's /api/event resumes on B with the Last-Event-ID A gave it, getting exactly
// the rest.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeLlmRepo } from "../support/llm-project.js";
import { lastUserText, startScriptedLlm, type ScriptedLlm } from "../support/scripted-llm.js";
import { startPostgres, type PostgresCluster } from "../support/postgres.js";
import { killServed, serveProcess, stopServed, okJson } from "../support/serve-process.js";
import { jsonInit } from "../support/json-init.js";
import { connectV2, type NextEvent, type NextFrame } from "../support/sse.js";

const WORDS = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ");

let cluster: PostgresCluster;
let llm: ScriptedLlm;
let repo: { dir: string };

beforeAll(async () => {
  cluster = await startPostgres();
  llm = await startScriptedLlm({
    script: (request) =>
      /title/i.test(JSON.stringify(request.body.messages.filter((m) => m.role === "system")))
        ? { kind: "text", text: "A pooled title" }
        : lastUserText(request) === "talk slowly"
          ? { kind: "text", reasoning: "Thinking it over.", text: WORDS, delayMs: 40 }
          : { kind: "text", text: "ok" },
  });
  repo = makeLlmRepo("pg-v2-log", llm.url);
});

afterAll(async () => {
  killServed();
  await llm?.stop();
  cluster?.stop();
});

type Next = NextEvent;
type Frame = NextFrame;

const ids = (frames: Frame[]) => frames.map((f) => f.data.id);

describe("the v2 session log on a pool", () => {
  it("serves A's session on B: the same history, A's events live on B's streams, a resume from A's cursor on B", async () => {
    const url = await cluster.createDatabase();
    const a = await serveProcess(repo.dir, ["--database", url]);
    const b = await serveProcess(repo.dir, ["--database", url]);
    const allA = connectV2(`${a.url}/api/event?after=0`);
    const allB = connectV2(`${b.url}/api/event?after=0`);
    // Upstream's frames (no ids) on B too, as a plain client reads them.
    const plainB = connectV2(`${b.url}/api/event`);
    const created = await okJson<{ data: { id: string } }>(
      `${a.url}/api/session`,
      jsonInit("POST", { location: { directory: repo.dir }, model: { id: "m", providerID: "fake" } }),
    );
    const id = created.data.id;
    const sessionB = connectV2(`${b.url}/api/session/${id}/event`);
    // A client of A's /api/event that will leave during the run and come back on B.
    const leaving = connectV2(`${a.url}/api/event?after=0`);
    try {
      const admitted = await okJson<{ data: { admittedSeq: number } }>(
        `${a.url}/api/session/${id}/prompt`,
        jsonInit("POST", { prompt: { text: "talk slowly" } }),
      );
      // A's admission is in the shared log by the time A answers.
      expect(admitted.data.admittedSeq).toBe(1);
      // B streams A's deltas while A's run goes on.
      await expect
        .poll(() => allB.of(id).filter((f) => f.data.type === "session.next.text.delta").length, { timeout: 15_000 })
        .toBeGreaterThan(3);
      await expect.poll(() => leaving.of(id).length, { timeout: 5_000 }).toBeGreaterThan(3);
      await leaving.close();
      const before = leaving.of(id);
      const cursor = before.at(-1)!.id!;
      expect(Number(cursor)).toBeGreaterThan(0);
      const resumed = connectV2(`${b.url}/api/event`, { "last-event-id": cursor });

      await fetch(`${a.url}/api/session/${id}/wait`, { method: "POST" });
      for (const stream of [allA, allB, plainB, sessionB, resumed])
        await expect.poll(() => stream.of(id).map((f) => f.data.type), { timeout: 15_000 }).toContain("session.next.step.ended");
      // Nothing more arrives late, twice.
      await new Promise((resolve) => setTimeout(resolve, 500));

      // The same history on both nodes, served from the shared log.
      const historyOf = async (base: string) => (await okJson<{ data: Next[] }>(`${base}/api/session/${id}/history?limit=1000`)).data;
      const history = await historyOf(a.url);
      expect(history.map((e) => e.type)).toEqual([
        "session.next.prompt.admitted",
        "session.next.prompted",
        "session.next.step.started",
        "session.next.reasoning.started",
        "session.next.reasoning.ended",
        "session.next.text.started",
        "session.next.text.ended",
        "session.next.step.ended",
      ]);
      expect(history.map((e) => e.durable!.seq)).toEqual(history.map((_e, i) => i + 1));
      expect(await historyOf(b.url)).toEqual(history);
      // B's session stream: the history, with the seq as SSE id.
      expect(ids(sessionB.of(id))).toEqual(history.map((e) => e.id));
      expect(sessionB.of(id).map((f) => f.id)).toEqual(history.map((e) => String(e.durable!.seq)));

      // B's /api/event: A's events as A streamed them, in order, once, positions growing; deltas included.
      const onA = allA.of(id);
      const onB = allB.of(id);
      expect(ids(onB)).toEqual(ids(onA));
      expect(onB.map((f) => f.id)).toEqual(onA.map((f) => f.id));
      expect(new Set(ids(onB)).size).toBe(onB.length);
      const positions = onB.map((f) => Number(f.id));
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
      expect(ids(plainB.of(id))).toEqual(ids(onA));
      expect(
        onB
          .filter((f) => f.data.type === "session.next.text.delta")
          .map((f) => f.data.data.delta)
          .join(""),
      ).toBe(WORDS);
      expect(onB.filter((f) => f.data.durable).map((f) => f.data.id)).toEqual(history.map((e) => e.id));

      // The client that left A resumed on B: exactly the rest, nothing twice, nothing missed.
      expect([...ids(before), ...ids(resumed.of(id))]).toEqual(ids(onA));
      expect(resumed.of(id).length).toBeGreaterThan(0);
      await resumed.close();
    } finally {
      for (const stream of [allA, allB, plainB, sessionB]) await stream.close();
      await Promise.all([stopServed(a), stopServed(b)]);
    }
  }, 90_000);
});
