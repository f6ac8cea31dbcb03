// What a session reports of the files it changed, side by side with the real opencode
// (`opencode serve`, the pinned npm opencode-ai). The same journey (a turn that writes a file,
// /undo, /redo, a second turn, /undo at its reply, /undo of both, a turn after it, another that
// writes, an aborted one, /compact) runs against upstream and this server, each with its own
// scripted model, and after every step the same observations are compared: the session.diff
// events, the summaries session.updated carried, the diffs user messages were updated with, and
// then the session's summary, GET /session/{id}/diff (with and without messageID) and each user
// message's summary.diffs. Ids and times are left out; messages are named by the order they were
// first seen. SESSION_DIFF_DUMP=<file> writes both sides' observations.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../support/git.js";
import { opencodeAvailable } from "../support/opencode-binary.js";
import { referenceConfig } from "../support/reference-config.js";
import { startScriptedLlm, type ScriptedLlm } from "../support/scripted-llm.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";
import { sseBlocks } from "../support/sse.js";
import { startUpstreamServer, type UpstreamServer } from "../support/upstream-server.js";

type Json = Record<string, unknown>;
type FileDiff = { file: string; patch: string; additions: number; deletions: number; status?: string };
interface Message {
  info: { id: string; role: string; summary?: { diffs?: FileDiff[] } | boolean };
}

const diffs = (list: FileDiff[] | undefined) =>
  list?.map(({ file, patch, additions, deletions, status }) => ({ file, additions, deletions, status, patch }));

/** One server under test: its event stream (for one session) and the user messages seen so far. */
class Side {
  readonly events: Json[] = [];
  private seen = 0;
  private lastEventAt = Date.now();
  private readonly abort = new AbortController();
  sessionID = "";
  /** Message ids in the order they were first seen (a removed one keeps its number). */
  readonly messages: string[] = [];

  constructor(
    readonly url: string,
    readonly repo: string,
    readonly llm: ScriptedLlm,
  ) {}

  async listen(): Promise<void> {
    const response = await fetch(`${this.url}/event?directory=${encodeURIComponent(this.repo)}`, { signal: this.abort.signal });
    const pump = async () => {
      for await (const block of sseBlocks(response)) {
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6))
          .join("\n");
        if (!data) continue;
        this.events.push(JSON.parse(data) as Json);
        this.lastEventAt = Date.now();
      }
    };
    void pump().catch(() => undefined);
  }

  close(): void {
    this.abort.abort();
  }

  async call(method: string, route: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.url}${route}`, body === undefined ? { method } : jsonInit(method, body));
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route} -> ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** Waits until the stream has been quiet for a while (upstream summarises in the background). */
  async settle(quietMs = 1_000): Promise<void> {
    // Events may reach the stream just after the answer: count from now.
    this.lastEventAt = Math.max(this.lastEventAt, Date.now());
    while (Date.now() - this.lastEventAt < quietMs) await new Promise((r) => setTimeout(r, 100));
  }

  private name(messageID: string): string {
    if (!this.messages.includes(messageID)) this.messages.push(messageID);
    return `message#${this.messages.indexOf(messageID) + 1}`;
  }

  /** What the session reported since the last observation, and its state now. */
  async observe(): Promise<Json> {
    const fresh = this.events.slice(this.seen).filter((e) => (e.properties as Json | undefined)?.sessionID === this.sessionID);
    this.seen = this.events.length;
    const reported: unknown[] = [];
    let summary: unknown;
    for (const e of fresh) {
      const p = e.properties as Json;
      if (e.type === "session.diff") reported.push({ "session.diff": diffs(p.diff as FileDiff[]) });
      if (e.type === "session.updated") {
        const next = JSON.stringify((p.info as Json).summary ?? null);
        if (next !== summary) reported.push({ "session.updated summary": (p.info as Json).summary ?? null });
        summary = next;
      }
      const info = p.info as Message["info"] | undefined;
      if (e.type === "message.updated" && info?.role === "user" && typeof info.summary === "object")
        reported.push({ [`${this.name(info.id)} diffs`]: diffs(info.summary.diffs) });
      if (e.type === "message.removed") reported.push({ removed: this.name(p.messageID as string) });
    }
    const session = (await this.call("GET", `/session/${this.sessionID}`)) as Json;
    const messages = (await this.call("GET", `/session/${this.sessionID}/message`)) as Message[];
    const state: Json = {
      summary: session.summary ?? null,
      reverted: (session.revert as Json | undefined)?.messageID ? this.name((session.revert as Json).messageID as string) : null,
      "GET diff": diffs((await this.call("GET", `/session/${this.sessionID}/diff`)) as FileDiff[]),
    };
    for (const m of messages.filter((m) => m.info.role === "user")) {
      const name = this.name(m.info.id);
      state[`${name} summary.diffs`] = typeof m.info.summary === "object" ? diffs(m.info.summary.diffs) : null;
      state[`GET diff ${name}`] = diffs((await this.call("GET", `/session/${this.sessionID}/diff?messageID=${m.info.id}`)) as FileDiff[]);
    }
    return { reported, state };
  }

  messageID(n: number): string {
    return this.messages[n - 1]!;
  }
}

interface Step {
  name: string;
  run(side: Side): Promise<unknown>;
}

const prompt = (text: string) => (side: Side) =>
  side.call("POST", `/session/${side.sessionID}/message`, { parts: [{ type: "text", text }] });
const STEPS: Step[] = [
  { name: "a turn that writes hello.txt", run: prompt("please write file hello.txt") },
  { name: "/undo", run: (side) => side.call("POST", `/session/${side.sessionID}/revert`, { messageID: side.messageID(1) }) },
  { name: "/redo", run: (side) => side.call("POST", `/session/${side.sessionID}/unrevert`) },
  { name: "a second turn", run: prompt("hello again") },
  {
    // Reverting at an assistant message reverts from the user message it answers.
    name: "/undo at the second turn's reply",
    run: async (side) => {
      const messages = (await side.call("GET", `/session/${side.sessionID}/message`)) as Message[];
      const reply = messages.filter((m) => m.info.role === "assistant").at(-1)!;
      return side.call("POST", `/session/${side.sessionID}/revert`, { messageID: reply.info.id });
    },
  },
  { name: "/undo of both turns", run: (side) => side.call("POST", `/session/${side.sessionID}/revert`, { messageID: side.messageID(1) }) },
  { name: "a turn after the undo", run: prompt("after revert hello") },
  { name: "a turn that writes hello.txt again", run: prompt("please write file hello.txt") },
  {
    // A step cut short publishes no summary at the run's end.
    name: "a turn aborted mid-reply",
    run: async (side) => {
      side.llm.setScript((req) =>
        side.llm.lastUserText(req) === "slow please"
          ? { kind: "text", text: "one two three four five six seven eight", delayMs: 400 }
          : undefined,
      );
      await side.call("POST", `/session/${side.sessionID}/prompt_async`, { parts: [{ type: "text", text: "slow please" }] });
      await new Promise((r) => setTimeout(r, 1_500));
      await side.call("POST", `/session/${side.sessionID}/abort`);
      await side.settle();
      side.llm.setScript(undefined);
    },
  },
  {
    name: "/compact",
    run: (side) => side.call("POST", `/session/${side.sessionID}/summarize`, { providerID: "fake", modelID: "fake-model" }),
  },
];

const available = opencodeAvailable();
let upstreamServer: UpstreamServer | undefined;
let ourServer: TestServer | undefined;
let llms: ScriptedLlm[] = [];
const observed: { upstream: Json[]; ours: Json[] } = { upstream: [], ours: [] };

describe.skipIf(!available)("session.diff, summaries and GET /session/{id}/diff: this server against opencode serve", () => {
  beforeAll(async () => {
    llms = await Promise.all([startScriptedLlm(), startScriptedLlm()]);
    const [upLlm, ourLlm] = llms as [ScriptedLlm, ScriptedLlm];
    const upRepo = makeRepo("session-diff-upstream").dir;
    const ourRepo = makeRepo("session-diff-ours").dir;
    // The same files on both sides (a config file in the worktree is part of every snapshot).
    writeFileSync(path.join(upRepo, "opencode.json"), JSON.stringify(referenceConfig(upLlm.url)));
    writeFileSync(path.join(ourRepo, "opencode.json"), JSON.stringify(referenceConfig(ourLlm.url)));
    [upstreamServer, ourServer] = await Promise.all([
      startUpstreamServer(upRepo, referenceConfig(upLlm.url)),
      startTestServer({ projectDirectory: ourRepo }),
    ]);
    const sides = { upstream: new Side(upstreamServer.url, upRepo, upLlm), ours: new Side(ourServer.url, ourRepo, ourLlm) };
    await Promise.all(
      Object.entries(sides).map(async ([key, side]) => {
        await side.listen();
        side.sessionID = ((await side.call("POST", "/session", {})) as { id: string }).id;
        for (const step of STEPS) {
          await step.run(side);
          await side.settle();
          observed[key as "upstream" | "ours"].push({ step: step.name, ...(await side.observe()) });
        }
        side.close();
      }),
    );
    if (process.env.SESSION_DIFF_DUMP) writeFileSync(process.env.SESSION_DIFF_DUMP, JSON.stringify(observed, null, 1));
  }, 240_000);

  afterAll(async () => {
    await upstreamServer?.stop();
    await ourServer?.close();
    await Promise.all(llms.map((llm) => llm.stop()));
  });

  STEPS.forEach((step, i) =>
    it(`reports what upstream reports after ${step.name}`, () => {
      expect(observed.ours[i]).toEqual(observed.upstream[i]);
    }),
  );

  it("upstream, as the issue describes it: turns report no session change, /undo reports the undone change, /redo keeps it", () => {
    const added = expect.objectContaining({ file: "hello.txt", additions: 1, deletions: 0, status: "added" });
    const [turn, undo, redo, second, , , , , , compact] = observed.upstream as { reported: Json[]; state: Json }[];
    expect(turn!.reported.filter((r) => "session.diff" in r).every((r) => (r["session.diff"] as unknown[]).length === 0)).toBe(true);
    expect(turn!.state).toMatchObject({
      summary: { additions: 0, deletions: 0, files: 0 },
      "GET diff": [],
      "message#1 summary.diffs": [added],
    });
    expect(undo!.reported).toEqual([{ "session.diff": [added] }, { "session.updated summary": { additions: 1, deletions: 0, files: 1 } }]);
    expect(redo!.reported).toEqual([{ "session.updated summary": { additions: 1, deletions: 0, files: 1 } }]);
    expect(second!.state.summary).toEqual({ additions: 0, deletions: 0, files: 0 });
    expect(compact!.reported.filter((r) => "session.diff" in r)).toEqual([{ "session.diff": [] }]);
  });
});
