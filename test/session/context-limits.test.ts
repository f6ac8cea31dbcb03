// What upstream does by itself when a run goes wrong in the model's hands: a reply past the
// model's usable context is followed by an automatic compaction and a prompt to carry on; the
// same tool called with the same input three times in a row asks the user (doom_loop).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeProvider, startLlmProject } from "../support/llm-project.js";
import { lastUserText, type ScriptedLlm } from "../support/scripted-llm.js";
import { openEventReader } from "../support/sse.js";
import type { EventLike } from "../support/event-sequence.js";
import { jsonInit, type TestServer } from "../support/server.js";

type Part = { type: string; text?: string; synthetic?: boolean; auto?: boolean; tool?: string; state?: { status: string } };
type Message = { info: { id: string; role: string; summary?: boolean; agent?: string }; parts: Part[] };

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("context-limits", {
    config: {
      model: "fake/small",
      provider: {
        fake: {
          ...fakeProvider("placeholder"),
          models: { small: { limit: { context: 8_000, output: 1_000 } } },
        },
      },
    },
  }));
  // The provider entry above needs the scripted model's URL, known only now.
  const config = {
    model: "fake/small",
    provider: { fake: { ...fakeProvider(llm.url), models: { small: { limit: { context: 8_000, output: 1_000 } } } } },
  };
  await server.fetch(`/config?directory=${encodeURIComponent(repo.dir)}`, jsonInit("PATCH", config));
  llm.setScript((request) => {
    const text = lastUserText(request);
    if (text === "fill the context")
      return { kind: "text", text: "A very long answer.", usage: { prompt_tokens: 7_500, completion_tokens: 200 } };
    if (text.startsWith("loop please") && request.body.messages.at(-1)?.role === "user")
      return {
        kind: "tool",
        calls: [1, 2, 3].map(() => ({ name: "bash", args: { command: "echo again", description: "Again" } })),
      };
    return undefined;
  });
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

async function messagesOf(sessionID: string): Promise<Message[]> {
  return (await (await server.fetch(`/session/${sessionID}/message`)).json()) as Message[];
}

async function newSession(): Promise<string> {
  return ((await (await server.fetch(`/session?directory=${encodeURIComponent(repo.dir)}`, jsonInit("POST", {}))).json()) as { id: string })
    .id;
}

describe("automatic compaction", () => {
  it("summarises a conversation past the model's usable context, then carries on with a synthetic prompt", async () => {
    const sessionID = await newSession();
    const res = await server.fetch(
      `/session/${sessionID}/message`,
      jsonInit("POST", { parts: [{ type: "text", text: "fill the context" }] }),
    );
    expect(res.status).toBe(200);
    const messages = await messagesOf(sessionID);
    expect(messages.map((m) => [m.info.role, m.parts.find((p) => p.type === "compaction" || p.type === "text")?.type])).toEqual([
      ["user", "text"],
      ["assistant", "text"],
      ["user", "compaction"],
      ["assistant", "text"],
      ["user", "text"],
      ["assistant", "text"],
    ]);
    expect(messages[2]!.parts[0]).toMatchObject({ type: "compaction", auto: true });
    expect(messages[3]!.info).toMatchObject({ summary: true, agent: "compaction" });
    expect(messages[4]!.parts[0]).toMatchObject({
      type: "text",
      synthetic: true,
      text: expect.stringMatching(/^Continue if you have next steps/),
    });
    // The held request is answered with the last reply, after the agent carried on.
    expect(((await res.json()) as Message).info.id).toBe(messages[5]!.info.id);
  });

  it("stays off with compaction.auto false", async () => {
    await server.fetch(`/config?directory=${encodeURIComponent(repo.dir)}`, jsonInit("PATCH", { compaction: { auto: false } }));
    const sessionID = await newSession();
    await server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { parts: [{ type: "text", text: "fill the context" }] }));
    expect((await messagesOf(sessionID)).map((m) => m.info.role)).toEqual(["user", "assistant"]);
    await server.fetch(`/config?directory=${encodeURIComponent(repo.dir)}`, jsonInit("PATCH", { compaction: { auto: true } }));
  });
});

describe("doom loop", () => {
  it("asks doom_loop permission at the third identical call in a row; once lets it run", async () => {
    const sessionID = await newSession();
    const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
    await reader.next();
    const held = server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { parts: [{ type: "text", text: "loop please" }] }));
    const asked = (await reader.next<EventLike>((e) => e.type === "permission.asked", 10_000)).properties as {
      id: string;
      permission: string;
      patterns: string[];
      metadata: { tool: string; input: unknown };
    };
    expect(asked).toMatchObject({
      permission: "doom_loop",
      patterns: ["bash"],
      metadata: { tool: "bash", input: { command: "echo again" } },
    });
    await server.fetch(`/permission/${asked.id}/reply?directory=${encodeURIComponent(repo.dir)}`, jsonInit("POST", { reply: "once" }));
    expect((await held).status).toBe(200);
    reader.close();
    const tools = (await messagesOf(sessionID)).flatMap((m) => m.parts).filter((p) => p.type === "tool");
    expect(tools.map((p) => p.state?.status)).toEqual(["completed", "completed", "completed"]);
  });
});
