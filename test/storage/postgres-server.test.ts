// The real server on PostgreSQL: `agentpool serve --database postgres://...` (and the same through
// AGENTPOOL_DATABASE_URL), driven over HTTP with a scripted model. Two processes on one database
// with different data folders see the same sessions; one starting does not abort the other's runs
// (run leases), a prompt to one queues behind the other's run of the session, and a process killed
// mid-run is finalised by another once its lease expires, from the database alone.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeLlmRepo } from "../support/llm-project.js";
import { lastUserText, startScriptedLlm, type ScriptedLlm } from "../support/scripted-llm.js";
import { startPostgres, type PostgresCluster } from "../support/postgres.js";
import { killServed, serveProcess, type ServedNode, okJson } from "../support/serve-process.js";
import { jsonInit } from "../support/json-init.js";

let cluster: PostgresCluster;
let llm: ScriptedLlm;
let repo: { dir: string };

beforeAll(async () => {
  cluster = await startPostgres();
  llm = await startScriptedLlm({
    script: (request) =>
      lastUserText(request).includes("stream slowly")
        ? { kind: "text", text: Array.from({ length: 300 }, (_, i) => `w${i}`).join(" "), delayMs: 30 }
        : { kind: "text", text: `echo: ${lastUserText(request)}` },
  });
  repo = makeLlmRepo("pg-server", llm.url);
});

afterAll(async () => {
  killServed();
  await llm?.stop();
  cluster?.stop();
});

/** Starts `agentpool serve` from the sources, with its own data folder. */
const serve = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServedNode> => serveProcess(repo.dir, args, env);

type Reply = {
  info: { id: string; role: string; error?: { name: string }; time: { completed?: number } };
  parts: { id: string; type: string; text?: string }[];
};

const texts = (messages: Reply[]) =>
  messages.map((m) => [
    m.info.role,
    m.parts
      .filter((p) => p.type === "text")
      .map((p) => p.text)
      .join(""),
  ]);

describe("agentpool serve --database postgres://", () => {
  it("creates, prompts and lists a session; a second server on the same database serves it too", async () => {
    const url = await cluster.createDatabase();
    const a = await serve(["--database", url]);
    const session = await okJson<{ id: string }>(`${a.url}/session`, jsonInit("POST", { title: "on postgres" }));
    const reply = await okJson<Reply>(
      `${a.url}/session/${session.id}/message`,
      jsonInit("POST", { parts: [{ type: "text", text: "hello postgres" }] }),
    );
    expect(reply.info.role).toBe("assistant");
    const messages = await okJson<Reply[]>(`${a.url}/session/${session.id}/message`);
    expect(texts(messages)).toEqual([
      ["user", "hello postgres"],
      ["assistant", "echo: hello postgres"],
    ]);
    // Nothing in the data folder: the state is in PostgreSQL.
    expect(existsSync(path.join(a.dataHome, "agentpool", "agentpool.db"))).toBe(false);

    // Another process, another data folder, the database named by the environment this time.
    const b = await serve([], { AGENTPOOL_DATABASE_URL: url });
    const listed = await okJson<{ id: string; title: string }[]>(`${b.url}/session`);
    expect(listed.map((s) => [s.id, s.title])).toEqual([[session.id, "on postgres"]]);
    expect(texts(await okJson<Reply[]>(`${b.url}/session/${session.id}/message`))).toEqual(texts(messages));
    await okJson(`${b.url}/session/${session.id}/message`, jsonInit("POST", { parts: [{ type: "text", text: "again, through b" }] }));
    expect(texts(await okJson<Reply[]>(`${a.url}/session/${session.id}/message`)).slice(2)).toEqual([
      ["user", "again, through b"],
      ["assistant", "echo: again, through b"],
    ]);
    // The durable events of both servers are in one history, numbered without a gap.
    const history = await okJson<{ aggregate_id: string; seq: number }[]>(`${b.url}/sync/history`, jsonInit("POST", {}));
    const seqs = history.filter((e) => e.aggregate_id === session.id).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    for (const node of [a, b]) process.kill(-node.child.pid!, "SIGTERM");
  });

  it("leaves a run going when another node starts, and queues that node's prompt behind it", async () => {
    const url = await cluster.createDatabase();
    const a = await serve(["--database", url]);
    const session = await okJson<{ id: string }>(`${a.url}/session`, jsonInit("POST", {}));
    const accepted = await fetch(
      `${a.url}/session/${session.id}/prompt_async`,
      jsonInit("POST", { parts: [{ type: "text", text: "stream slowly" }] }),
    );
    expect(accepted.status).toBe(204);
    await expect
      .poll(async () => (await okJson<Reply[]>(`${a.url}/session/${session.id}/message`))[1]?.parts.length ?? 0, { timeout: 15_000 })
      .toBeGreaterThan(0);
    // A second node starting on the database finalises nothing A runs.
    const b = await serve(["--database", url]);
    const queued = okJson<Reply>(
      `${b.url}/session/${session.id}/message`,
      jsonInit("POST", { parts: [{ type: "text", text: "queued on b" }] }),
    );
    let messages: Reply[] = [];
    await expect
      .poll(
        async () => {
          messages = await okJson<Reply[]>(`${a.url}/session/${session.id}/message`);
          return messages[1]?.info.time.completed !== undefined;
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    expect(messages[1]!.info.error).toBeUndefined();
    expect(messages[1]!.parts.find((p) => p.type === "text")!.text).toBe(Array.from({ length: 300 }, (_, i) => `w${i}`).join(" "));
    // B's prompt ran once A's run was over, not beside it.
    const reply = await queued;
    expect(reply.info.error).toBeUndefined();
    const after = await okJson<(Reply & { info: { time: { created: number } } })[]>(`${b.url}/session/${session.id}/message`);
    const answer = after.find((m) => m.info.id === reply.info.id)!;
    expect(answer.info.time.created).toBeGreaterThanOrEqual(messages[1]!.info.time.completed!);
    expect(texts(after).at(-1)).toEqual(["assistant", "echo: queued on b"]);
    for (const node of [a, b]) process.kill(-node.child.pid!, "SIGTERM");
  }, 60_000);

  it("finalises a run whose node was killed mid-reply, from another node once its lease expires", async () => {
    const url = await cluster.createDatabase();
    const env = { AGENTPOOL_LEASE_TTL_MS: "1000" };
    const a = await serve(["--database", url], env);
    const b = await serve(["--database", url], env);
    const session = await okJson<{ id: string }>(`${a.url}/session`, jsonInit("POST", {}));
    const accepted = await fetch(
      `${a.url}/session/${session.id}/prompt_async`,
      jsonInit("POST", { parts: [{ type: "text", text: "stream slowly" }] }),
    );
    expect(accepted.status).toBe(204);
    let before: Reply[] = [];
    await expect
      .poll(
        async () => {
          before = await okJson<Reply[]>(`${a.url}/session/${session.id}/message`);
          return before[1]?.parts.find((p) => p.type === "text")?.text?.length ?? 0;
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThan(20);
    process.kill(-a.child.pid!, "SIGKILL");
    await new Promise((resolve) => a.child.once("exit", resolve));

    // B, running all along, sweeps the run up once A's lease expired.
    const killed = Date.now();
    let after: Reply[] = [];
    await expect
      .poll(
        async () => {
          after = await okJson<Reply[]>(`${b.url}/session/${session.id}/message`);
          return after[1]?.info.time.completed !== undefined;
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(true);
    expect(Date.now() - killed).toBeLessThan(5_000);
    expect(after.map((m) => m.info.id)).toEqual(before.map((m) => m.info.id));
    expect(after[1]!.info.error?.name).toBe("MessageAbortedError");
    expect(after[1]!.info.time.completed).toBeDefined();
    expect(after[1]!.parts.find((p) => p.type === "text")!.text!.startsWith(before[1]!.parts.find((p) => p.type === "text")!.text!)).toBe(
      true,
    );
    // The session takes the next prompt.
    await okJson(`${b.url}/session/${session.id}/message`, jsonInit("POST", { parts: [{ type: "text", text: "after the crash" }] }));
    expect(texts(await okJson<Reply[]>(`${b.url}/session/${session.id}/message`)).at(-1)).toEqual(["assistant", "echo: after the crash"]);
    process.kill(-b.child.pid!, "SIGTERM");
  });

  it("refuses to start on a database it cannot reach, naming it without the password", async () => {
    const failure = await serve(["--database", "postgres://agent:hunter2@127.0.0.1:1/none"]).then(
      () => new Error("started"),
      (error: Error) => error,
    );
    expect(failure.message).toMatch(/agent:\*\*\*@127\.0\.0\.1:1\/none/);
    expect(failure.message).not.toContain("hunter2");
  });
});
