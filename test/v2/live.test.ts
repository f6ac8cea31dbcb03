// The v2 engine, live: a prompt steered into a running turn reaches its next model call (one run,
// not two); the session.next.* events are logged as they happen and stream live, deltas included;
// a reconnect with Last-Event-ID gets exactly what it missed; the history outlives a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastUserText, type ChatRequest, type ScriptedLlm } from "../support/scripted-llm.js";
import { startLlmProject } from "../support/llm-project.js";
import { sdkV2 } from "../support/sdk.js";
import { openEventReader } from "../support/sse.js";
import type { TestServer } from "../support/server.js";

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string; rootCommit: string };
let client: ReturnType<typeof sdkV2>;

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("v2-live"));
  client = sdkV2({ baseUrl: server.url, directory: repo.dir });
});
afterAll(async () => {
  await server?.close();
  await llm?.stop();
});

async function newSession(): Promise<string> {
  const res = await client.v2.session.create({ location: { directory: repo.dir }, model: { id: "m", providerID: "fake" } });
  return (res.data as { data: { id: string } }).data.id;
}

type Admitted = { data: { id: string; admittedSeq: number; delivery: string } };

async function prompt(sessionID: string, text: string, delivery?: "steer" | "queue"): Promise<Admitted["data"]> {
  const res = await client.v2.session.prompt({ sessionID, prompt: { text }, ...(delivery ? { delivery } : {}) });
  expect(res.response.status).toBe(200);
  return (res.data as Admitted).data;
}

type Message = { id: string; type: string; text?: string; content?: { type: string; name?: string; state?: { status: string } }[] };

async function messages(sessionID: string): Promise<Message[]> {
  return ((await client.v2.session.messages({ sessionID, order: "asc" } as never)).data as { data: Message[] }).data;
}

const isTitle = (request: ChatRequest) => request.body.messages.some((m) => m.role === "system" && /title/i.test(JSON.stringify(m.content)));

describe("steering", () => {
  it("a steered prompt reaches the running turn's next model call, in the same run", async () => {
    const id = await newSession();
    const before = llm.requests.length;
    llm.setScript((request) =>
      lastUserText(request) === "start a slow tool" && request.body.messages.at(-1)?.role === "user"
        ? { kind: "tool", calls: [{ name: "bash", args: { command: "sleep 1.5; echo slow-done", description: "Wait" } }] }
        : undefined,
    );
    try {
      const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
      const first = await prompt(id, "start a slow tool");
      expect(first).toMatchObject({ delivery: "queue" });
      await expect
        .poll(async () => (await messages(id)).flatMap((m) => m.content ?? []).some((c) => c.type === "tool" && c.state?.status === "running"), {
          timeout: 10_000,
        })
        .toBe(true);
      const steered = await prompt(id, "steered text", "steer");
      expect(steered.delivery).toBe("steer");
      // Stored at once, as the user message it is.
      expect((await messages(id)).find((m) => m.id === steered.id)).toMatchObject({ type: "user", text: "steered text" });
      await client.v2.session.wait({ sessionID: id });

      const calls = llm.requests.slice(before).filter((r) => !isTitle(r));
      expect(calls).toHaveLength(2);
      const second = calls[1]!.body.messages;
      // The second step sees the tool's result, then the steered prompt.
      expect(second.map((m) => m.role).slice(-2)).toEqual(["tool", "user"]);
      expect(lastUserText(calls[1]!)).toBe("steered text");

      // One run: busy until the end, one idle.
      const idles: unknown[] = [];
      for (;;) {
        const event = await reader.next<{ type: string; properties: { sessionID?: string } }>(
          (e) => e.type === "session.idle" && e.properties.sessionID === id,
          1_500,
        ).catch(() => undefined);
        if (!event) break;
        idles.push(event);
      }
      reader.close();
      expect(idles).toHaveLength(1);
      const list = await messages(id);
      expect(list.map((m) => m.type)).toEqual(["user", "assistant", "user", "assistant"]);
    } finally {
      llm.setScript(undefined);
    }
  });

  it("with no turn running, a steered prompt is answered as a queued one", async () => {
    const id = await newSession();
    const admitted = await prompt(id, "steer while idle", "steer");
    expect(admitted.delivery).toBe("steer");
    await client.v2.session.wait({ sessionID: id });
    const list = await messages(id);
    expect(list.map((m) => m.type)).toEqual(["user", "assistant"]);
  });
});
