// Drives the fake LLM with the real AI SDK (`ai` streamText + `@ai-sdk/openai-compatible`), so
// the tests that rely on it know it speaks the wire format the provider code really parses.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { APICallError, generateText, jsonSchema, streamText, tool, type ModelMessage, type TextStreamPart, type ToolSet } from "ai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { contentText, lastUserText, startFakeLlm, type ChatRequest, type FakeLlm } from "./fake-llm.js";

let fake: FakeLlm;

beforeAll(async () => {
  fake = await startFakeLlm({ cwd: "/srv/demo/proj", slowDelayMs: 20 });
});

afterAll(async () => {
  await fake.stop();
});

beforeEach(() => {
  fake.setScript(undefined);
  fake.requests.length = 0;
});

function model() {
  const provider = createOpenAICompatible({ baseURL: fake.url, apiKey: "sk-fake", name: "fake", includeUsage: true });
  return provider.chatModel("fake-model");
}

// Tools without execute: the stream stops at the call, as an agent loop would see it.
const tools = {
  bash: tool({
    description: "Run a shell command",
    inputSchema: jsonSchema<{ command: string; description: string }>({
      type: "object",
      properties: { command: { type: "string" }, description: { type: "string" } },
      required: ["command", "description"],
    }),
  }),
  write: tool({
    description: "Write a file",
    inputSchema: jsonSchema<{ filePath: string; content: string }>({
      type: "object",
      properties: { filePath: { type: "string" }, content: { type: "string" } },
      required: ["filePath", "content"],
    }),
  }),
} satisfies ToolSet;

type Part = TextStreamPart<typeof tools>;

// streamText logs stream errors to the console unless told otherwise; the tests inspect them instead.
function ignoreError(): void {}

async function collect(
  prompt: string | ModelMessage[],
  extra: { system?: string; withTools?: boolean; abortSignal?: AbortSignal } = {},
): Promise<Part[]> {
  const result = streamText({
    model: model(),
    system: extra.system,
    ...(typeof prompt === "string" ? { prompt } : { messages: prompt }),
    tools: extra.withTools === false ? undefined : tools,
    maxRetries: 0,
    abortSignal: extra.abortSignal,
    onError: ignoreError,
  });
  const parts: Part[] = [];
  for await (const part of result.fullStream) parts.push(part);
  return parts;
}

function deltasOf(parts: Part[], type: "text-delta" | "reasoning-delta"): string[] {
  return parts.flatMap((part) => (part.type === type ? [part.text] : []));
}

function finishOf(parts: Part[]) {
  const finish = parts.find((part) => part.type === "finish");
  if (finish?.type !== "finish") throw new Error(`no finish part in ${parts.map((p) => p.type).join(",")}`);
  return finish;
}

describe("fake LLM via the real AI SDK", () => {
  it("streams a text reply as several deltas that join to the full text", async () => {
    const parts = await collect("hello there");
    const deltas = deltasOf(parts, "text-delta");
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join("")).toBe("Hello from fake LLM. You said: hello there");
    expect(deltas.slice(0, 2)).toEqual(["Hello from f", "ake LLM. You"]); // the reference's 12-char chunks
    expect(finishOf(parts).finishReason).toBe("stop");
  });

  it("surfaces usage numbers (the reference's 100 in / 20 out)", async () => {
    const finish = finishOf(await collect("hello there"));
    expect(finish.totalUsage.inputTokens).toBe(100);
    expect(finish.totalUsage.outputTokens).toBe(20);
    expect(finish.totalUsage.totalTokens).toBe(120);
  });

  it("streams reasoning_content as reasoning parts before the text", async () => {
    const parts = await collect("think about it");
    const reasoning = deltasOf(parts, "reasoning-delta");
    expect(reasoning.length).toBeGreaterThan(1);
    expect(reasoning.join("")).toBe("Let me think about this carefully.");
    expect(deltasOf(parts, "text-delta").join("")).toBe("Thought about it: the answer is 42.");
    const types = parts.map((part) => part.type);
    expect(types.indexOf("reasoning-end")).toBeLessThan(types.indexOf("text-start"));
  });

  it("returns a tool call with parsed input and finish reason tool-calls", async () => {
    const parts = await collect("please use bash to say hi");
    const calls = parts.flatMap((part) => (part.type === "tool-call" ? [part] : []));
    expect(calls).toHaveLength(1);
    // Ids follow the reply number, as in the reference (chatcmpl-fake-4 → call_fake_4).
    const replyNumber = fake.requests[0].replyId?.replace("chatcmpl-fake-", "");
    expect(calls[0]).toMatchObject({
      toolName: "bash",
      toolCallId: `call_fake_${replyNumber}`,
      input: { command: "echo hi", description: "Print hi" },
    });
    expect(finishOf(parts).finishReason).toBe("tool-calls");
    expect(parts.some((part) => part.type === "tool-input-delta")).toBe(true);
  });

  it("streams several tool calls in one reply", async () => {
    fake.setScript(() => ({
      kind: "tool",
      text: "Doing two things.",
      calls: [
        { name: "bash", args: { command: "ls", description: "List" } },
        { name: "write", args: { filePath: "/tmp/a.txt", content: "a" }, id: "call_custom" },
      ],
    }));
    const parts = await collect("anything");
    const calls = parts.flatMap((part) => (part.type === "tool-call" ? [part] : []));
    const replyNumber = fake.requests[0].replyId?.replace("chatcmpl-fake-", "");
    expect(calls.map((call) => [call.toolName, call.toolCallId, call.input])).toEqual([
      ["bash", `call_fake_${replyNumber}`, { command: "ls", description: "List" }],
      ["write", "call_custom", { filePath: "/tmp/a.txt", content: "a" }],
    ]);
    expect(deltasOf(parts, "text-delta").join("")).toBe("Doing two things.");
  });

  it("builds write paths from the cwd option", async () => {
    const parts = await collect("please write file hello.txt");
    const call = parts.find((part) => part.type === "tool-call");
    expect(call).toMatchObject({ toolName: "write", input: { filePath: "/srv/demo/proj/hello.txt", content: "hello world\n" } });
  });

  it("answers a tool result with 'Tool finished: <output>'", async () => {
    const messages: ModelMessage[] = [
      { role: "user", content: "please use bash to say hi" },
      {
        role: "assistant",
        content: [{ type: "tool-call", toolCallId: "call_1", toolName: "bash", input: { command: "echo hi", description: "Print hi" } }],
      },
      { role: "tool", content: [{ type: "tool-result", toolCallId: "call_1", toolName: "bash", output: { type: "text", value: "hi\n" } }] },
    ];
    const parts = await collect(messages);
    expect(deltasOf(parts, "text-delta").join("")).toBe("Tool finished: hi");
    expect(fake.requests[0].body.messages.map((message) => message.role)).toEqual(["user", "assistant", "tool"]);
  });

  it("answers tool-less requests as the title agent or as compaction", async () => {
    const title = await collect("hello there", { withTools: false, system: "You are a title generator. You output ONLY a thread title." });
    expect(deltasOf(title, "text-delta").join("")).toBe("Fake Title");
    const summary = await collect("Here is the conversation so far: ...", {
      withTools: false,
      system: "You are a context summarization agent.",
    });
    expect(deltasOf(summary, "text-delta").join("")).toBe("Fake summary of the conversation so far.");
  });

  it("reports an HTTP 500 plan as an APICallError with statusCode 500", async () => {
    const parts = await collect("please fail now");
    const error = parts.find((part) => part.type === "error");
    expect(error?.type).toBe("error");
    const cause = error?.type === "error" ? error.error : undefined;
    expect(APICallError.isInstance(cause)).toBe(true);
    if (!APICallError.isInstance(cause)) return;
    expect(cause.statusCode).toBe(500);
    expect(cause.message).toBe("fake upstream failure");
    expect(JSON.parse(cause.responseBody ?? "")).toEqual({
      error: { message: "fake upstream failure", type: "server_error", code: "fake_error" },
    });
    expect(fake.requests[0].replyId).toBeUndefined();
  });

  it("passes custom error status, body and headers through", async () => {
    fake.setScript(() => ({
      kind: "error",
      status: 429,
      body: { error: { message: "slow down", type: "rate_limit", code: "rate" } },
      headers: { "retry-after": "1" },
    }));
    const error = (await collect("hi")).find((part) => part.type === "error");
    const cause = error?.type === "error" ? error.error : undefined;
    if (!APICallError.isInstance(cause)) throw new Error("expected an APICallError");
    expect([cause.statusCode, cause.message, cause.isRetryable, cause.responseHeaders?.["retry-after"]]).toEqual([
      429,
      "slow down",
      true,
      "1",
    ]);
  });

  it("reports a connection cut mid-stream as a stream error after the first text", async () => {
    fake.setScript(() => ({ kind: "disconnect", text: "partial answer that never ends", chunkSize: 8, afterChunks: 2 }));
    // The body stream itself fails, so the AI SDK rejects the iteration rather than yielding an error part.
    const result = streamText({ model: model(), prompt: "hi", tools, maxRetries: 0, onError: ignoreError });
    const deltas: string[] = [];
    const failure = await (async () => {
      for await (const part of result.fullStream) if (part.type === "text-delta") deltas.push(part.text);
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(deltas.join("")).toBe("partial answer t");
    expect(APICallError.isInstance(failure)).toBe(true);
    expect(String((failure as Error).cause)).toContain("terminated");
    expect(fake.requests[0].completed).toBe(false);
  });

  it("stops writing when the client aborts a slow stream", async () => {
    const controller = new AbortController();
    const result = streamText({ model: model(), prompt: "be slow please", tools, maxRetries: 0, abortSignal: controller.signal });
    const seen: string[] = [];
    const types: string[] = [];
    for await (const part of result.fullStream) {
      types.push(part.type);
      if (part.type === "text-delta") seen.push(part.text);
      if (seen.length === 3) controller.abort();
    }
    expect(seen.join("")).toBe("word0 word1 word2 ");
    expect(types).toContain("abort");
    const record = await fake.waitForRequest((request) => request.aborted, 2000);
    const written = record.chunksWritten;
    await new Promise((resolve) => setTimeout(resolve, 150)); // several 20 ms chunk periods
    expect(record.chunksWritten).toBe(written);
    expect(record.completed).toBe(false);
    expect(written).toBeLessThan(10); // of 47 (role + 45 text + finish)
  });

  it("records model, messages, tools, headers and stream options", async () => {
    await collect(
      [
        {
          role: "user",
          content: [
            { type: "text", text: "first part, " },
            { type: "text", text: "second part" },
          ],
        },
      ],
      { system: "sys prompt" },
    );
    const [request] = fake.requests as [ChatRequest];
    expect(request.index).toBe(1);
    expect(request.body.model).toBe("fake-model");
    expect(request.body.stream).toBe(true);
    expect(request.body.stream_options).toEqual({ include_usage: true });
    expect(request.body.messages[0]).toEqual({ role: "system", content: "sys prompt" });
    expect(lastUserText(request)).toBe("first part, second part");
    expect(request.body.tools?.map((t) => t.function.name)).toEqual(["bash", "write"]);
    expect(request.headers.authorization).toBe("Bearer sk-fake");
    expect(request.plan).toEqual({ kind: "text", text: "Hello from fake LLM. You said: first part, second part" });
    expect(request.completed).toBe(true);
    expect(request.aborted).toBe(false);
  });

  it("answers stream: false with a JSON completion", async () => {
    const result = await generateText({ model: model(), prompt: "think about it", tools, maxRetries: 0 });
    expect(result.text).toBe("Thought about it: the answer is 42.");
    expect(result.reasoningText).toBe("Let me think about this carefully.");
    expect(result.usage.totalTokens).toBe(120);
    expect(fake.requests[0].body.stream).toBeUndefined(); // generateText leaves `stream` out
  });

  it("lets tests compose their own plan with the default script", async () => {
    fake.setScript((request) =>
      lastUserText(request) === "special" ? { kind: "text", text: "special reply" } : fake.defaultScript(request),
    );
    expect(deltasOf(await collect("special"), "text-delta").join("")).toBe("special reply");
    expect(deltasOf(await collect("ordinary"), "text-delta").join("")).toBe("Hello from fake LLM. You said: ordinary");
  });

  it("lists models and reads array content", async () => {
    const response = await fetch(`${fake.url}/models`);
    expect(await response.json()).toMatchObject({ object: "list", data: [{ id: "fake-model" }] });
    expect(contentText([{ type: "text", text: "a" }, { type: "image_url" }, { type: "text", text: "b" }])).toBe("ab");
  });
});
