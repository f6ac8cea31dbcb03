// The prompt loop end to end: the real AI SDK provider code talks to a scripted OpenAI-compatible
// LLM over HTTP; each scenario's event order is compared with the reference capture of the real
// opencode server, and every event and answer is validated against the spec on the way.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sdkV2 } from "../support/sdk.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceEvents, sequence, type EventLike } from "../support/event-sequence.js";
import { startScriptedLlm, type ScriptedLlm } from "../support/scripted-llm.js";
import { makeRepo } from "../support/git.js";
import { referenceConfig } from "../support/reference-config.js";
import { openEventReader, type EventReader } from "../support/sse.js";
import { jsonInit, startTestServer, type TestServer } from "../support/server.js";

type Message = {
  id: string;
  role: string;
  parentID?: string;
  finish?: string;
  error?: { name: string; data: Record<string, unknown> };
  time: { created: number; completed?: number };
  tokens?: Record<string, unknown>;
};
type Part = { id: string; type: string; text?: string; time?: { start: number; end?: number } };
type Reply = { info: Message; parts: Part[] };

let fake: ScriptedLlm;
let server: TestServer;
let repo: { dir: string; rootCommit: string };

function writeConfig(dir: string, baseURL: string): void {
  const config = {
    ...referenceConfig(baseURL),
    command: { greet: { template: "Say hello to $1, then mention $ARGUMENTS", description: "greets" } },
  };
  const model = config.provider.fake.models["fake-model"];
  config.provider.fake.models["fake-model"] = { ...model, variants: { high: { reasoningEffort: "high" } } } as typeof model;
  writeFileSync(path.join(dir, "opencode.json"), JSON.stringify(config, null, 2));
}

beforeAll(async () => {
  fake = await startScriptedLlm({ chunkDelayMs: 5 });
  repo = makeRepo("prompt");
  writeConfig(repo.dir, fake.url);
  server = await startTestServer({ projectDirectory: repo.dir, prompt: { retryDelaysMs: [20, 20, 20, 20, 20] } });
});
afterAll(async () => {
  await server.close();
  await fake.stop();
});

const sdk = () => sdkV2({ baseUrl: server.url, directory: repo.dir });

async function newSession(): Promise<string> {
  const { data } = await sdk().session.create({});
  return (data as { id: string }).id;
}

/** Collects a session's /event stream until its run is over (its `count`-th session.idle), then closes it. */
async function watch(sessionID: string): Promise<{ reader: EventReader; idle: (count?: number, also?: string) => Promise<EventLike[]> }> {
  const reader = await openEventReader(`${server.url}/event?directory=${encodeURIComponent(repo.dir)}`, "event");
  await reader.next();
  const mine = () =>
    (reader.frames as EventLike[]).filter((e) => (e.properties as { sessionID?: string } | undefined)?.sessionID === sessionID);
  return {
    reader,
    idle: async (count = 1, also?: string) => {
      const seen = (type: string) => mine().filter((e) => e.type === type).length;
      await expect.poll(() => seen("session.idle") >= count && (!also || seen(also) > 0), { timeout: 15_000 }).toBe(true);
      reader.close();
      return mine();
    },
  };
}

async function prompt(sessionID: string, text: string, extra: Record<string, unknown> = {}): Promise<Reply> {
  const res = await server.fetch(`/session/${sessionID}/message`, jsonInit("POST", { parts: [{ type: "text", text }], ...extra }));
  expect(res.status).toBe(200);
  return (await res.json()) as Reply;
}

describe("a text turn", () => {
  it("streams the reply in upstream's event order and answers the held request with it", async () => {
    const sessionID = await newSession();
    const watcher = await watch(sessionID);
    const reply = await prompt(sessionID, "hello there");
    const events = await watcher.idle();

    expect(reply.info).toMatchObject({
      role: "assistant",
      finish: "stop",
      agent: "build",
      mode: "build",
      providerID: "fake",
      modelID: "fake-model",
    });
    expect(reply.info.time.completed).toBeGreaterThanOrEqual(reply.info.time.created);
    expect(reply.parts.map((p) => p.type)).toEqual(["step-start", "text", "step-finish"]);
    expect(reply.parts[1]!.text).toBe("Hello from fake LLM. You said: hello there");
    expect(sequence(events)).toEqual(sequence(referenceEvents("text")));

    const deltas = events.filter((e) => e.type === "message.part.delta");
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => (d.properties as { delta: string }).delta).join("")).toBe(reply.parts[1]!.text);
    expect(deltas.every((d) => (d.properties as { field: string }).field === "text")).toBe(true);

    // What the provider was asked: upstream's request shape.
    const request = fake.requests.find(
      (r) =>
        r.headers["x-session-id"] === sessionID &&
        fake.lastUserText(r) === "hello there" &&
        r.body.messages[0]?.role === "system" &&
        !/title of a conversation/.test(String(r.body.messages[0].content)),
    )!;
    expect(request.body).toMatchObject({ model: "fake-model", max_tokens: 4096, stream: true });
    expect(request.headers["x-session-id"]).toBe(sessionID);
  });

  it("names the session after its first prompt with the small model", async () => {
    const sessionID = await newSession();
    await prompt(sessionID, "hello there");
    await expect
      .poll(async () => ((await sdk().session.get({ sessionID })).data as { title: string }).title, { timeout: 5_000 })
      .toBe("Fake Title");
  });

  it("adds the turn's tokens to the session and keeps both messages", async () => {
    const sessionID = await newSession();
    const reply = await prompt(sessionID, "hello there");
    const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
    expect(messages.map((m) => m.info.role)).toEqual(["user", "assistant"]);
    expect(messages[1]!.info.id).toBe(reply.info.id);
    expect(messages[1]!.info.parentID).toBe(messages[0]!.info.id);
    const session = (await sdk().session.get({ sessionID })).data as { tokens: { input: number; output: number } };
    expect(session.tokens.input).toBeGreaterThan(0);
    expect(session.tokens.output).toBeGreaterThan(0);
  });
});

describe("through the JS SDK (v2)", () => {
  it("prompts with session.prompt and follows the run with the SDK's own event stream reader", async () => {
    const client = sdk();
    const sessionID = await newSession();
    const controller = new AbortController();
    const subscription = await client.event.subscribe({}, { signal: controller.signal });
    const seen: string[] = [];
    const consumed = (async () => {
      for await (const event of subscription.stream as AsyncIterable<{ type: string; properties: { sessionID?: string } }>) {
        if (event.properties.sessionID !== sessionID && event.type !== "server.connected") continue;
        seen.push(event.type);
        if (event.type === "session.idle") break;
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    const { data, error } = await client.session.prompt({ sessionID, parts: [{ type: "text", text: "hello sdk" }] });
    expect(error).toBeUndefined();
    expect(data!.info).toMatchObject({ role: "assistant", finish: "stop" });
    expect(data!.parts.find((p) => p.type === "text")).toMatchObject({ text: "Hello from fake LLM. You said: hello sdk" });
    await consumed;
    controller.abort();
    expect(seen[0]).toBe("server.connected");
    expect(seen).toEqual(
      expect.arrayContaining(["message.updated", "message.part.updated", "message.part.delta", "session.status", "session.idle"]),
    );
    const async = await client.session.promptAsync({ sessionID, parts: [{ type: "text", text: "and again" }] });
    expect(async.response.status).toBe(204);
  });
});

describe("reasoning", () => {
  it("streams reasoning before the text, as upstream", async () => {
    const sessionID = await newSession();
    const watcher = await watch(sessionID);
    const reply = await prompt(sessionID, "think about it");
    const events = await watcher.idle();
    expect(reply.parts.map((p) => p.type)).toEqual(["step-start", "reasoning", "text", "step-finish"]);
    expect(reply.parts[1]!.text).toBe("Let me think about this carefully.");
    expect(reply.parts[2]!.text).toBe("Thought about it: the answer is 42.");
    expect(sequence(events)).toEqual(sequence(referenceEvents("reasoning")));
  });
});

describe("prompt_async and the queue", () => {
  it("answers 204 at once and replies in the background", async () => {
    const sessionID = await newSession();
    const watcher = await watch(sessionID);
    const res = await server.fetch(
      `/session/${sessionID}/prompt_async`,
      jsonInit("POST", { parts: [{ type: "text", text: "hello async" }] }),
    );
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    await watcher.idle();
    const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
    expect(messages.map((m) => m.info.role)).toEqual(["user", "assistant"]);
  });

  it("answers a prompt sent while busy after the current reply, in the same run", async () => {
    const sessionID = await newSession();
    const watcher = await watch(sessionID);
    fake.setScript((req) =>
      fake.lastUserText(req) === "be slow" ? { kind: "text", text: "one two three four five six", delayMs: 60 } : undefined,
    );
    await server.fetch(`/session/${sessionID}/prompt_async`, jsonInit("POST", { parts: [{ type: "text", text: "be slow" }] }));
    await watcher.reader.next<EventLike>((e) => e.type === "message.part.delta");
    const status = (await sdk().session.status()).data as Record<string, { type: string }>;
    expect(status[sessionID]).toEqual({ type: "busy" });
    const second = await prompt(sessionID, "queued follow-up");
    const events = await watcher.idle();
    fake.setScript(undefined);
    expect(second.parts.find((p) => p.type === "text")!.text).toBe("Hello from fake LLM. You said: queued follow-up");
    const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
    // As upstream: the first reply was created before the queued prompt arrived.
    expect(messages.map((m) => m.info.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(messages[3]!.info.parentID).toBe(messages[2]!.info.id);
    expect(events.filter((e) => e.type === "session.idle")).toHaveLength(1);
    expect(sequence(events)).toEqual(sequence(referenceEvents("queue")));
    expect((await sdk().session.status()).data).toEqual({});
  });
});

describe("abort", () => {
  it("ends a streaming reply with MessageAbortedError, keeps the partial text, and returns the held request", async () => {
    const sessionID = await newSession();
    const watcher = await watch(sessionID);
    fake.setScript((req) =>
      fake.lastUserText(req) === "slow"
        ? { kind: "text", text: Array.from({ length: 40 }, (_, i) => `word${i}`).join(" "), delayMs: 50 }
        : undefined,
    );
    const held = prompt(sessionID, "slow");
    await watcher.reader.next<EventLike>((e) => e.type === "message.part.delta");
    await watcher.reader.next<EventLike>((e) => e.type === "message.part.delta");
    expect((await sdk().session.abort({ sessionID })).data).toBe(true);
    const reply = await held;
    const events = await watcher.idle(2);
    fake.setScript(undefined);
    expect(reply.info.error).toEqual({ name: "MessageAbortedError", data: { message: "Aborted" } });
    expect(reply.info.time.completed).toBeDefined();
    const text = reply.parts.find((p) => p.type === "text")!;
    expect(text.text).toMatch(/^word0 word1/);
    expect(text.text!.length).toBeLessThan(200);
    expect(text.time?.end).toBeDefined();
    expect(sequence(events)).toEqual(sequence(referenceEvents("abort-text")));
  });
});

describe("provider errors", () => {
  it("retries with session.status retry, then ends with session.error APIError", async () => {
    const sessionID = await newSession();
    const watcher = await watch(sessionID);
    const reply = await prompt(sessionID, "please fail now");
    const events = await watcher.idle(2);
    expect(reply.info.error?.name).toBe("APIError");
    expect(reply.info.error?.data).toMatchObject({ statusCode: 500, isRetryable: true });
    const retries = events.filter(
      (e) => e.type === "session.status" && (e.properties as { status: { type: string } }).status.type === "retry",
    );
    expect(retries.map((e) => (e.properties as { status: { attempt: number } }).status.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(sequence(events)).toEqual(sequence(referenceEvents("provider-error")));
    const error = events.find((e) => e.type === "session.error")!;
    expect((error.properties as { error: { name: string } }).error.name).toBe("APIError");
  });

  it("ends with ProviderAuthError when the provider has no key", async () => {
    const sessionID = await newSession();
    const reply = await prompt(sessionID, "hello", { model: { providerID: "anthropic", modelID: "claude-sonnet-4-5" } });
    expect(reply.info.error).toEqual({
      name: "ProviderAuthError",
      data: { providerID: "anthropic", message: expect.stringMatching(/API key/) },
    });
  });
});

describe("session.summarize", () => {
  it("answers with the compaction agent's summary, announces session.compacted, and later turns start from it", async () => {
    const sessionID = await newSession();
    await prompt(sessionID, "hello there");
    await prompt(sessionID, "second message");
    const watcher = await watch(sessionID);
    const done = await sdk().session.summarize({ sessionID, providerID: "fake", modelID: "fake-model" });
    expect(done.data).toBe(true);
    const events = await watcher.idle(1, "session.diff");
    expect(sequence(events)).toEqual(sequence(referenceEvents("summarize")));
    // What the comparison leaves out, counted up to the run's closing diff: the session and its diff once, the request once.
    const count = (all: EventLike[]) => {
      const list = all.slice(0, all.findLastIndex((e) => e.type === "session.diff") + 1);
      return {
        sessionUpdated: list.filter((e) => e.type === "session.updated").length,
        sessionDiff: list.filter((e) => e.type === "session.diff").length,
        userMessage: list.filter((e) => e.type === "message.updated" && (e.properties?.info as { role: string }).role === "user").length,
      };
    };
    expect(count(events)).toEqual(count(referenceEvents("summarize")));
    const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
    const [request, summary] = messages.slice(-2);
    expect(request!.parts).toEqual([expect.objectContaining({ type: "compaction", auto: false })]);
    expect(summary!.info).toMatchObject({
      role: "assistant",
      agent: "compaction",
      mode: "compaction",
      summary: true,
      finish: "stop",
      parentID: request!.info.id,
    });
    expect(summary!.parts.find((p) => p.type === "text")!.text).toBe("Fake summary of the conversation.");
    // The summary request carried the conversation as text.
    const summaryRequest = fake.requests.find(
      (r) => r.headers["x-session-id"] === sessionID && JSON.stringify(r.body.messages).includes("<conversation>"),
    )!;
    expect(JSON.stringify(summaryRequest.body.messages)).toContain("[User]: second message");
    // The next turn sees the summary, not the turns before it.
    await prompt(sessionID, "after summary");
    const next = fake.requests.filter((r) => r.headers["x-session-id"] === sessionID && fake.lastUserText(r) === "after summary").at(-1)!;
    const history = JSON.stringify(next.body.messages);
    expect(history).toContain("Fake summary of the conversation.");
    expect(history).not.toContain("hello there");
  });
});

describe("commands", () => {
  it("lists the built-in and configured commands with their placeholders", async () => {
    mkdirSync(path.join(repo.dir, ".opencode", "command"), { recursive: true });
    writeFileSync(path.join(repo.dir, ".opencode", "command", "wave.md"), "---\ndescription: waves\n---\nWave at $ARGUMENTS\n");
    const commands = (await sdk().command.list()).data as {
      name: string;
      hints: string[];
      source: string;
      description?: string;
      template: string;
    }[];
    expect(commands.map((c) => c.name)).toEqual(["init", "review", "wave", "greet"]);
    expect(commands.find((c) => c.name === "wave")).toMatchObject({
      description: "waves",
      template: "Wave at $ARGUMENTS",
      hints: ["$ARGUMENTS"],
    });
    expect(commands.find((c) => c.name === "greet")).toMatchObject({
      hints: ["$1", "$ARGUMENTS"],
      source: "command",
      description: "greets",
    });
    expect(commands.find((c) => c.name === "review")?.hints).toEqual(["$ARGUMENTS"]);
  });

  it("runs a command's template as a prompt, then publishes command.executed", async () => {
    const sessionID = await newSession();
    const watcher = await watch(sessionID);
    const res = await server.fetch(`/session/${sessionID}/command`, jsonInit("POST", { command: "init", arguments: "" }));
    expect(res.status).toBe(200);
    const reply = (await res.json()) as Reply;
    const events = await watcher.idle(1, "command.executed");
    const executed = events.find((e) => e.type === "command.executed")!;
    expect(executed.properties).toEqual({ name: "init", sessionID, arguments: "", messageID: reply.info.id });
    expect(sequence(events)).toEqual(sequence(referenceEvents("command")));
    const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
    expect(messages[0]!.parts[0]!.text).toMatch(/^Write or update `AGENTS.md`/);
  });

  // As upstream, the last numbered placeholder takes the rest of the arguments.
  it("fills $1 and $ARGUMENTS, and refuses unknown commands with a 400", async () => {
    const sessionID = await newSession();
    const reply = (await sdk().session.command({ sessionID, command: "greet", arguments: "Ada and Bob" })).data as Reply;
    expect(reply.parts.find((p) => p.type === "text")!.text).toBe(
      "Hello from fake LLM. You said: Say hello to Ada and Bob, then mention Ada and Bob",
    );
    const unknown = await server.fetch(`/session/${sessionID}/command`, jsonInit("POST", { command: "nope", arguments: "" }));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { data: { message: string } }).data.message).toBe("Command not found: nope");
  });

  it("session.init runs the init command with the given model", async () => {
    const sessionID = await newSession();
    const messageID = "msg_0000000000000000000000001";
    const done = await sdk().session.init({ sessionID, providerID: "fake", modelID: "fake-model", messageID });
    expect(done.data).toBe(true);
    const messages = (await sdk().session.messages({ sessionID })).data as Reply[];
    expect(messages[0]!.info.id).toBe(messageID);
    expect(messages.map((m) => m.info.role)).toEqual(["user", "assistant"]);
  });
});

describe("variants", () => {
  it("sends the chosen variant's provider options with the model call", async () => {
    const sessionID = await newSession();
    await prompt(sessionID, "hello variant", { variant: "high" });
    const request = fake.requests.filter((r) => r.headers["x-session-id"] === sessionID && r.body.tools).at(-1)!;
    expect(request.body.reasoning_effort).toBe("high");
    const user = ((await sdk().session.messages({ sessionID })).data as Reply[])[0]!;
    expect(user.info).toMatchObject({ model: { providerID: "fake", modelID: "fake-model", variant: "high" } });
  });
});

describe("file parts", () => {
  it("sends an attached text file to the model as a read of it, as upstream does", async () => {
    const file = path.join(repo.dir, "README.md");
    const sessionID = await newSession();
    const watcher = await watch(sessionID);
    const reply = await prompt(sessionID, "look at @README.md", {
      parts: [
        { type: "text", text: "look at @README.md" },
        {
          type: "file",
          mime: "text/plain",
          filename: "README.md",
          url: `file://${file}`,
          source: { type: "file", path: "README.md", text: { value: "@README.md", start: 8, end: 18 } },
        },
      ],
    });
    const events = await watcher.idle();
    expect(reply.info.finish).toBe("stop");
    const user = ((await sdk().session.messages({ sessionID })).data as Reply[])[0]!;
    expect(user.parts.map((p) => [p.type, (p as { synthetic?: boolean }).synthetic ?? false])).toEqual([
      ["text", false],
      ["text", true],
      ["text", true],
      ["file", false],
    ]);
    expect(user.parts[1]!.text).toBe(`Called the Read tool with the following input: {"filePath":"${file}"}`);
    expect(user.parts[2]!.text).toBe(
      `<path>${file}</path>\n<type>file</type>\n<content>\n1: # prompt\n\n(End of file - total 1 lines)\n</content>`,
    );
    const request = fake.requests.filter((r) => r.headers["x-session-id"] === sessionID).at(-1)!;
    expect(JSON.stringify(request.body.messages)).toContain("1: # prompt");
    expect(sequence(events)).toEqual(sequence(referenceEvents("file-part")));
  });
});

describe("noReply and bad prompts", () => {
  it("stores a noReply prompt without answering it", async () => {
    const sessionID = await newSession();
    const watcher = await watch(sessionID);
    const before = fake.requests.length;
    const reply = await prompt(sessionID, "just store this", { noReply: true });
    expect(reply.info).toMatchObject({ role: "user", agent: "build", model: { providerID: "fake", modelID: "fake-model" } });
    expect(reply.parts).toEqual([
      { type: "text", text: "just store this", id: expect.stringMatching(/^prt_/), sessionID, messageID: reply.info.id },
    ]);
    await new Promise((r) => setTimeout(r, 100));
    watcher.reader.close();
    expect(sequence(watcher.reader.frames as EventLike[])).toEqual(sequence(referenceEvents("noreply")));
    expect(fake.requests.length).toBe(before);
  });

  it("refuses an unknown agent with a 400 and stores nothing", async () => {
    const sessionID = await newSession();
    const res = await server.fetch(
      `/session/${sessionID}/message`,
      jsonInit("POST", { agent: "nope", parts: [{ type: "text", text: "x" }] }),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { data: { message: string } }).data.message).toBe("Agent not found: nope");
    expect((await sdk().session.messages({ sessionID })).data).toEqual([]);
  });

  it("answers 404 for an unknown session", async () => {
    const res = await server.fetch(
      "/session/ses_doesnotexist0000000000/message",
      jsonInit("POST", { parts: [{ type: "text", text: "x" }] }),
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ name: "NotFoundError", data: { message: "Session not found: ses_doesnotexist0000000000" } });
  });
});
