// A scripted OpenAI-compatible Chat Completions server on loopback. Tests point the real provider
// code (`@ai-sdk/openai-compatible` driven by `ai`'s streamText) at it, so the whole path from HTTP
// bytes to AI SDK stream parts runs for real. Replies follow a script keyed on the request; the
// default script reproduces the fake LLM the opencode 1.18.33 reference captures were recorded
// with (see /work/shared/reference/opencode-1.18.33/README.md §1 and fakellm-requests.log.jsonl).
import http from "node:http";
import type { AddressInfo } from "node:net";

// ---------------------------------------------------------------------------------------------
// Request shapes (only what the fake looks at; everything else is kept as `unknown`)

export interface ChatToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

export interface ChatMessage {
  role: string;
  /** A string, or an array of content parts (`{type:"text", text}` …). */
  content?: unknown;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  [key: string]: unknown;
}

export interface ChatTool {
  type?: string;
  function: { name: string; description?: string; parameters?: unknown };
}

export interface ChatRequestBody {
  model?: string;
  messages: ChatMessage[];
  tools?: ChatTool[];
  tool_choice?: unknown;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  [key: string]: unknown;
}

/** One recorded `POST /v1/chat/completions`, plus what the fake did with it. */
export interface ChatRequest {
  /** 1-based arrival order among chat requests. */
  index: number;
  headers: http.IncomingHttpHeaders;
  body: ChatRequestBody;
  /** The plan the script chose (set before the first byte of the answer). */
  plan?: Plan;
  /** `chatcmpl-fake-N` of the answer; only answers that stream content get one, like the reference. */
  replyId?: string;
  /** Number of SSE `data:` events written so far (for stream: false, 1 once answered). */
  chunksWritten: number;
  /** The whole answer was written (finish chunk, usage, [DONE]). */
  completed: boolean;
  /** The client went away before the answer was complete; the fake stopped writing. */
  aborted: boolean;
}

// ---------------------------------------------------------------------------------------------
// Plans: what to answer

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** Pacing shared by the streaming plans. */
export interface Pacing {
  /** Pause before each streamed content chunk; defaults to the server's `chunkDelayMs`. */
  delayMs?: number;
  /** Characters per text delta (default 12, like the reference fake). */
  chunkSize?: number;
  /** Characters per reasoning delta (default 8, like the reference fake). */
  reasoningChunkSize?: number;
  /** Reported token usage (default 100 prompt / 20 completion, like the reference fake). */
  usage?: Usage;
}

export interface TextPlan extends Pacing {
  kind: "text";
  text: string;
  /** Streamed as `delta.reasoning_content` before the text. */
  reasoning?: string;
}

export interface ToolCallSpec {
  name: string;
  /** An object is sent as JSON; a string is sent verbatim (to test malformed arguments). */
  args: Record<string, unknown> | string;
  /** Defaults to `call_fake_N` (and `call_fake_N_i` for the i-th further call of one reply). */
  id?: string;
}

export interface ToolPlan extends Pacing {
  kind: "tool";
  calls: ToolCallSpec[];
  /** Optional text and reasoning streamed before the calls. */
  text?: string;
  reasoning?: string;
}

export interface ErrorPlan {
  kind: "error";
  status: number;
  /** JSON error body; defaults to the reference's OpenAI-shaped `fake upstream failure`. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Streams the first chunks of `text`, then destroys the connection (no finish, no [DONE]). */
export interface DisconnectPlan extends Pacing {
  kind: "disconnect";
  text: string;
  /** How many text chunks to send before cutting the connection (default: all of them). */
  afterChunks?: number;
}

export type Plan = TextPlan | ToolPlan | ErrorPlan | DisconnectPlan;

export type Script = (request: ChatRequest) => Plan | undefined;

export interface FakeLlmOptions {
  /** Tried first for every request; returning undefined falls back to the default script. */
  script?: Script;
  /** Default pause before each streamed content chunk (default 0). */
  chunkDelayMs?: number;
  /** Directory for the default script's `write file` / `read file` paths. */
  cwd?: string;
  /** Pause between chunks of the default script's `slow` reply (default 250 ms as in the reference). */
  slowDelayMs?: number;
}

export interface FakeLlm {
  /** Base URL for a provider's `baseURL` option; ends in `/v1`. */
  url: string;
  /** Every chat completion request, in arrival order. */
  requests: ChatRequest[];
  /** Replace the script (undefined restores the default script alone). */
  setScript(script: Script | undefined): void;
  /** The default script bound to this server's options (cwd, slowDelayMs), for composing scripts. */
  defaultScript(request: ChatRequest): Plan;
  /** Resolves with the first recorded request that matches (now or later); rejects after timeoutMs. */
  waitForRequest(match: (request: ChatRequest) => boolean, timeoutMs?: number): Promise<ChatRequest>;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Reading requests

/** Text of a message content: a plain string, or the `text` of its content parts joined. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part: unknown) => (isRecord(part) && typeof part.text === "string" ? part.text : "")).join("");
}

export function lastUserText(request: ChatRequest): string {
  const user = request.body.messages.findLast((message) => message.role === "user");
  return user ? contentText(user.content) : "";
}

export function systemText(request: ChatRequest): string {
  return request.body.messages
    .filter((message) => message.role === "system")
    .map((message) => contentText(message.content))
    .join("\n");
}

export function toolNames(request: ChatRequest): string[] {
  return (request.body.tools ?? []).map((tool) => tool.function.name);
}

export function lastMessage(request: ChatRequest): ChatMessage | undefined {
  return request.body.messages.at(-1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// The default script (the reference fake's behaviour)

export interface DefaultScriptOptions {
  cwd?: string;
  slowDelayMs?: number;
}

export const DEFAULT_ERROR_BODY = {
  error: { message: "fake upstream failure", type: "server_error", code: "fake_error" },
};

export const SLOW_TEXT = Array.from({ length: 40 }, (_, i) => `word${i} `).join("");

/**
 * Requests without tools are the title agent or compaction; a trailing tool result is echoed;
 * otherwise a trigger phrase in the last user text picks the reply. Checked in this order, so
 * that e.g. "run slow bash" is a bash call and not the slow text.
 */
export function defaultScript(request: ChatRequest, options: DefaultScriptOptions = {}): Plan {
  if (toolNames(request).length === 0) return toollessReply(request);
  const last = lastMessage(request);
  if (last?.role === "tool") return { kind: "text", text: `Tool finished: ${toolResultSummary(last.content)}` };
  const text = lastUserText(request);
  return (
    triggeredPlan(text.toLowerCase(), request, options) ?? { kind: "text", text: `Hello from fake LLM. You said: ${text.slice(0, 80)}` }
  );
}

function toollessReply(request: ChatRequest): TextPlan {
  const isTitleRequest = /you are a title generator/i.test(systemText(request));
  return { kind: "text", text: isTitleRequest ? "Fake Title" : "Fake summary of the conversation so far." };
}

/** The reference echoed tool output with whitespace collapsed, cut to 200 characters. */
function toolResultSummary(content: unknown): string {
  return contentText(content).replace(/\s+/g, " ").trim().slice(0, 200);
}

function triggeredPlan(text: string, request: ChatRequest, options: DefaultScriptOptions): Plan | undefined {
  if (text.includes("please fail now")) return { kind: "error", status: 500 };
  if (text.includes("slow bash")) return bashCall("sleep 20 && echo done", "Sleep then echo");
  if (text.includes("use bash")) return bashCall("echo hi", "Print hi");
  if (text.includes("write file")) return toolCall("write", { filePath: helloPath(request, options), content: "hello world\n" });
  if (text.includes("read file")) return toolCall("read", { filePath: helloPath(request, options) });
  if (text.includes("use task")) return toolCall("task", TASK_ARGS);
  if (text.includes("ask question")) return toolCall("question", QUESTION_ARGS);
  if (text.includes("make todos")) return toolCall("todowrite", TODO_ARGS);
  if (text.includes("bad tool")) return toolCall("nonexistent_tool", { x: 1 });
  if (text.includes("slow")) return { kind: "text", text: SLOW_TEXT, delayMs: options.slowDelayMs ?? 250, chunkSize: 6 };
  if (text.includes("think")) {
    return { kind: "text", reasoning: "Let me think about this carefully.", text: "Thought about it: the answer is 42." };
  }
  return undefined;
}

const TASK_ARGS = { description: "Say hello", prompt: "say hello from the subagent", subagent_type: "general" };

const QUESTION_ARGS = {
  questions: [
    {
      question: "Which color?",
      header: "Color",
      options: [
        { label: "Red", description: "warm" },
        { label: "Blue", description: "cool" },
      ],
    },
  ],
};

const TODO_ARGS = {
  todos: [
    { content: "first thing", status: "in_progress", priority: "high" },
    { content: "second thing", status: "pending", priority: "low" },
  ],
};

function toolCall(name: string, args: Record<string, unknown>): ToolPlan {
  return { kind: "tool", calls: [{ name, args }] };
}

function bashCall(command: string, description: string): ToolPlan {
  return toolCall("bash", { command, description });
}

/** `<dir>/hello.txt`, dir = the cwd option, else the system prompt's "Working directory:", else ours. */
function helloPath(request: ChatRequest, options: DefaultScriptOptions): string {
  const fromPrompt = /Working directory: (.+)/.exec(systemText(request))?.[1]?.trim();
  const dir = options.cwd ?? fromPrompt ?? process.cwd();
  return `${dir.replace(/\/+$/, "")}/hello.txt`;
}

// ---------------------------------------------------------------------------------------------
// Writing answers

const DEFAULT_USAGE: Usage = { prompt_tokens: 100, completion_tokens: 20 };

/** Everything one answer needs besides the plan. */
interface Reply {
  id: string;
  /** Numeric part of the id; tool call ids derive from it. */
  number: number;
  model: string;
  created: number;
  record: ChatRequest;
  res: http.ServerResponse;
  defaultDelayMs: number;
}

function splitIntoChunks(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += Math.max(1, size)) chunks.push(text.slice(i, i + Math.max(1, size)));
  return chunks;
}

function usageOf(plan: Pacing): Usage & { total_tokens: number } {
  const usage = plan.usage ?? DEFAULT_USAGE;
  return { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
}

function toolCallId(reply: Reply, position: number, spec: ToolCallSpec): string {
  return spec.id ?? (position === 0 ? `call_fake_${reply.number}` : `call_fake_${reply.number}_${position}`);
}

function argumentsText(spec: ToolCallSpec): string {
  return typeof spec.args === "string" ? spec.args : JSON.stringify(spec.args);
}

/** The client is gone (or the answer ended): nothing more may be written. */
function isClosed(res: http.ServerResponse): boolean {
  return res.destroyed || res.writableEnded;
}

/** Waits `ms`, but returns at once when the client goes away so an aborted stream stops promptly. */
function pause(ms: number, res: http.ServerResponse): Promise<void> {
  if (ms <= 0 || isClosed(res)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on("close", done);
  });
}

function writeEvent(reply: Reply, payload: unknown): boolean {
  if (reply.record.aborted || isClosed(reply.res)) return false;
  reply.res.write(`data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`);
  reply.record.chunksWritten += 1;
  return true;
}

function chunkEvent(reply: Reply, choices: unknown[], extra: Record<string, unknown> = {}): unknown {
  return { id: reply.id, object: "chat.completion.chunk", created: reply.created, model: reply.model, choices, ...extra };
}

function deltaEvent(reply: Reply, delta: Record<string, unknown>, finishReason: string | null = null): unknown {
  return chunkEvent(reply, [{ index: 0, delta, finish_reason: finishReason }]);
}

/** Writes content deltas one by one with the plan's pacing; false once the client has gone. */
async function streamDeltas(reply: Reply, deltas: Record<string, unknown>[], delayMs: number): Promise<boolean> {
  for (const delta of deltas) {
    await pause(delayMs, reply.res);
    if (!writeEvent(reply, deltaEvent(reply, delta))) return false;
  }
  return true;
}

function reasoningDeltas(reasoning: string | undefined, plan: Pacing): Record<string, unknown>[] {
  return splitIntoChunks(reasoning ?? "", plan.reasoningChunkSize ?? 8).map((piece) => ({ reasoning_content: piece }));
}

function textDeltas(text: string | undefined, plan: Pacing): Record<string, unknown>[] {
  return splitIntoChunks(text ?? "", plan.chunkSize ?? 12).map((piece) => ({ content: piece }));
}

/** A call opens with id, type and name (empty arguments); the arguments follow in fragments. */
function toolCallDeltas(reply: Reply, calls: ToolCallSpec[]): Record<string, unknown>[] {
  return calls.flatMap((spec, index) => [
    { tool_calls: [{ index, id: toolCallId(reply, index, spec), type: "function", function: { name: spec.name, arguments: "" } }] },
    ...splitIntoChunks(argumentsText(spec), 16).map((fragment) => ({ tool_calls: [{ index, function: { arguments: fragment } }] })),
  ]);
}

function contentDeltas(reply: Reply, plan: TextPlan | ToolPlan): Record<string, unknown>[] {
  const calls = plan.kind === "tool" ? toolCallDeltas(reply, plan.calls) : [];
  return [...reasoningDeltas(plan.reasoning, plan), ...textDeltas(plan.text, plan), ...calls];
}

function startEventStream(res: http.ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  res.flushHeaders();
}

/** role chunk, content deltas, finish chunk, usage chunk (if asked for), [DONE]. */
async function streamCompletion(reply: Reply, plan: TextPlan | ToolPlan, includeUsage: boolean): Promise<void> {
  startEventStream(reply.res);
  if (!writeEvent(reply, deltaEvent(reply, { role: "assistant", content: "" }))) return;
  if (!(await streamDeltas(reply, contentDeltas(reply, plan), plan.delayMs ?? reply.defaultDelayMs))) return;
  if (!writeEvent(reply, deltaEvent(reply, {}, plan.kind === "tool" ? "tool_calls" : "stop"))) return;
  if (includeUsage && !writeEvent(reply, chunkEvent(reply, [], { usage: usageOf(plan) }))) return;
  if (!writeEvent(reply, "[DONE]")) return;
  reply.record.completed = true;
  reply.res.end();
}

async function streamThenDisconnect(reply: Reply, plan: DisconnectPlan): Promise<void> {
  startEventStream(reply.res);
  if (!writeEvent(reply, deltaEvent(reply, { role: "assistant", content: "" }))) return;
  const deltas = textDeltas(plan.text, plan).slice(0, plan.afterChunks);
  if (!(await streamDeltas(reply, deltas, plan.delayMs ?? reply.defaultDelayMs))) return;
  // Give the written chunks a moment to leave before the socket is torn down mid-reply.
  await pause(20, reply.res);
  reply.res.destroy();
}

function completionJson(reply: Reply, plan: TextPlan | ToolPlan): unknown {
  const message: Record<string, unknown> = { role: "assistant", content: plan.text ?? (plan.kind === "tool" ? null : "") };
  if (plan.reasoning) message.reasoning_content = plan.reasoning;
  if (plan.kind === "tool") {
    message.tool_calls = plan.calls.map((spec, index) => ({
      id: toolCallId(reply, index, spec),
      type: "function",
      function: { name: spec.name, arguments: argumentsText(spec) },
    }));
  }
  const finishReason = plan.kind === "tool" ? "tool_calls" : "stop";
  return {
    id: reply.id,
    object: "chat.completion",
    created: reply.created,
    model: reply.model,
    choices: [{ index: 0, message, finish_reason: finishReason }],
    usage: usageOf(plan),
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function openAiError(message: string, type: string, code: string): unknown {
  return { error: { message, type, code } };
}

// ---------------------------------------------------------------------------------------------
// The server

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

function parseChatBody(text: string): ChatRequestBody | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed) || !Array.isArray(parsed.messages)) return undefined;
    return parsed as ChatRequestBody;
  } catch {
    return undefined;
  }
}

const MODEL_LIST = {
  object: "list",
  data: [{ id: "fake-model", object: "model", created: 0, owned_by: "fake" }],
};

export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const requests: ChatRequest[] = [];
  const scriptOptions: DefaultScriptOptions = { cwd: options.cwd, slowDelayMs: options.slowDelayMs };
  const boundDefaultScript = (request: ChatRequest): Plan => defaultScript(request, scriptOptions);
  let customScript = options.script;
  let replyCount = 0;

  function choosePlan(record: ChatRequest): Plan {
    return customScript?.(record) ?? boundDefaultScript(record);
  }

  function newReply(record: ChatRequest, res: http.ServerResponse): Reply {
    replyCount += 1;
    const id = `chatcmpl-fake-${replyCount}`;
    record.replyId = id;
    const created = Math.floor(Date.now() / 1000);
    return {
      id,
      number: replyCount,
      model: record.body.model ?? "fake-model",
      created,
      record,
      res,
      defaultDelayMs: options.chunkDelayMs ?? 0,
    };
  }

  function watchForClientGone(record: ChatRequest, res: http.ServerResponse): void {
    // Not `req.on("close")`: since Node 16 that fires as soon as the request body has been read.
    res.on("close", () => {
      if (!res.writableFinished) record.aborted = true;
    });
  }

  async function answer(record: ChatRequest, res: http.ServerResponse): Promise<void> {
    const plan = choosePlan(record);
    record.plan = plan;
    if (plan.kind === "error") {
      sendJson(res, plan.status, plan.body ?? DEFAULT_ERROR_BODY, plan.headers);
      return;
    }
    const reply = newReply(record, res);
    if (plan.kind === "disconnect") return streamThenDisconnect(reply, plan);
    if (record.body.stream === true) return streamCompletion(reply, plan, record.body.stream_options?.include_usage === true);
    sendJson(res, 200, completionJson(reply, plan));
    record.chunksWritten = 1;
    record.completed = true;
  }

  async function handleChat(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = parseChatBody(await readBody(req));
    if (!body) {
      sendJson(res, 400, openAiError("request body must be JSON with a messages array", "invalid_request_error", "invalid_json"));
      return;
    }
    const record: ChatRequest = {
      index: requests.length + 1,
      headers: req.headers,
      body,
      chunksWritten: 0,
      completed: false,
      aborted: false,
    };
    requests.push(record);
    watchForClientGone(record, res);
    await answer(record, res);
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "POST" && path === "/v1/chat/completions") return handleChat(req, res);
    if (req.method === "GET" && path === "/v1/models") return sendJson(res, 200, MODEL_LIST);
    sendJson(res, 404, openAiError(`no route for ${req.method} ${path}`, "invalid_request_error", "not_found"));
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, openAiError(String(error), "server_error", "fake_crash"));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  // Polls rather than hooking every state change: `aborted` and `completed` flip deep inside
  // the streaming code, and a 10 ms poll is plenty for tests.
  function waitForRequest(match: (request: ChatRequest) => boolean, timeoutMs = 5000): Promise<ChatRequest> {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const poll = setInterval(check, 10);
      function check(): void {
        const found = requests.find(match);
        if (!found && Date.now() < deadline) return;
        clearInterval(poll);
        if (found) resolve(found);
        else reject(new Error(`fake LLM: no matching request within ${timeoutMs} ms (${requests.length} seen)`));
      }
      check();
    });
  }

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setScript(script) {
      customScript = script;
    },
    defaultScript: boundDefaultScript,
    waitForRequest,
    stop() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open streams and idle keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}
