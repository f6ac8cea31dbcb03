// The question tool: question.asked, the pending list, a reply with the chosen labels, or a
// rejection that fails the tool and ends the run, in upstream's event order.
import { sdkV2 } from "../support/sdk.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceEvents, sequence, type EventLike } from "../support/event-sequence.js";
import { startLlmProject } from "../support/llm-project.js";
import type { ScriptedLlm } from "../support/scripted-llm.js";
import { openEventReader } from "../support/sse.js";
import { jsonInit, type TestServer } from "../support/server.js";

type Part = {
  type: string;
  state?: { status: string; output?: string; error?: string; title?: string; metadata?: Record<string, unknown> };
};
type Reply = { info: { role: string }; parts: Part[] };
type Asked = { id: string; sessionID: string; questions: unknown[]; tool: { messageID: string; callID: string } };

let llm: ScriptedLlm;
let server: TestServer;
let repo: { dir: string };
const sdk = () => sdkV2({ baseUrl: server.url, directory: repo.dir });
const QUESTIONS = [
  {
    question: "Which color?",
    header: "Color",
    options: [
      { label: "Red", description: "warm" },
      { label: "Blue", description: "cool" },
    ],
  },
];

beforeAll(async () => {
  ({ llm, repo, server } = await startLlmProject("questions"));
});
afterAll(async () => {
  await server.close();
  await llm.stop();
});

async function askAndAnswer(answer: (request: Asked) => Promise<void>) {
  const sessionID = ((await sdk().session.create({})).data as { id: string }).id;
  const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
  await reader.next();
  const held = server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { parts: [{ type: "text", text: "ask question" }] }));
  const asked = (await reader.next<EventLike>((e) => e.type === "question.asked", 10_000)).properties as Asked;
  expect(asked).toMatchObject({ sessionID, questions: QUESTIONS, tool: { callID: expect.stringMatching(/^call_/) } });
  expect(asked.id).toMatch(/^que_/);
  expect((await sdk().question.list()).data).toEqual([asked]);
  await answer(asked);
  expect((await held).status).toBe(200);
  await expect.poll(() => (reader.frames as EventLike[]).some((e) => e.type === "session.idle"), { timeout: 10_000 }).toBe(true);
  reader.close();
  const events = (reader.frames as EventLike[]).filter((e) => (e.properties as { sessionID?: string }).sessionID === sessionID);
  const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
  return { sessionID, asked, events, messages };
}

describe("question", () => {
  it("answers the model with the chosen labels", async () => {
    const { sessionID, asked, events, messages } = await askAndAnswer(async (request) => {
      const res = await server.fetch(`/question/${request.id}/reply`, jsonInit("POST", { answers: [["Blue"]] }));
      expect(await res.json()).toBe(true);
    });
    expect(messages[1]!.parts.find((p) => p.type === "tool")!.state).toMatchObject({
      status: "completed",
      output: 'User has answered your questions: "Which color?"="Blue". You can now continue with the user\'s answers in mind.',
      title: "Asked 1 question",
      metadata: { answers: [["Blue"]], truncated: false },
    });
    expect(events.find((e) => e.type === "question.replied")?.properties).toEqual({ sessionID, requestID: asked.id, answers: [["Blue"]] });
    expect(sequence(events)).toEqual(sequence(referenceEvents("question")));
    expect((await sdk().question.list()).data).toEqual([]);
  });

  it("a rejection fails the tool and ends the run", async () => {
    const { sessionID, asked, events, messages } = await askAndAnswer(async (request) => {
      expect((await sdk().question.reject({ requestID: request.id })).data).toBe(true);
    });
    expect(messages.map((m) => m.info.role)).toEqual(["user", "assistant"]);
    expect(messages[1]!.parts.find((p) => p.type === "tool")!.state).toMatchObject({
      status: "error",
      error: "The user dismissed this question",
    });
    expect(events.find((e) => e.type === "question.rejected")?.properties).toEqual({ sessionID, requestID: asked.id });
    expect(sequence(events)).toEqual(sequence(referenceEvents("question-reject")));
  });

  it("answers an unknown request with a 404", async () => {
    const res = await server.fetch("/question/que_doesnotexist000000000000/reply", jsonInit("POST", { answers: [] }));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ _tag: "QuestionNotFoundError", requestID: "que_doesnotexist000000000000" });
  });
});
