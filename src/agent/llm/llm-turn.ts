// One LLM turn with the Vercel AI SDK: streams a model call and reports it as agent events.
// Retryable provider failures before any output are retried with backoff, reported as `retry`
// events (upstream shows them as session.status retry).
import {
  APICallError,
  dynamicTool,
  jsonSchema,
  streamText,
  wrapLanguageModel,
  type LanguageModel,
  type ModelMessage,
  type ToolSet,
} from "ai";
import type { ToolDefinition, ToolResult } from "../../tool/tool.js";
import type { AgentEvent, TokenUsage } from "../agent-event.js";
import type { ResolvedModel } from "./resolved-model.js";

/** Upstream waits about 2, 4, 8, 19 and 40 seconds between attempts, then gives up. */
export const DEFAULT_RETRY_DELAYS_MS = [2_000, 4_000, 8_000, 19_000, 40_000];

/** Runs one tool call for the model (the prompt loop gives it the call's context). */
export type ToolRunner = (
  tool: ToolDefinition<never>,
  args: Record<string, unknown>,
  call: { callID: string; signal: AbortSignal },
) => Promise<ToolResult>;

export interface LlmTurnInput {
  model: ResolvedModel;
  system: string[];
  messages: ModelMessage[];
  tools?: ToolDefinition<never>[];
  runTool?: ToolRunner;
  signal: AbortSignal;
  retryDelaysMs?: number[];
  /** Provider options, such as those of the chosen model variant ({reasoningEffort: "high"}). */
  providerOptions?: Record<string, Record<string, unknown>>;
  /** Extra request headers (upstream sends x-session-id). */
  headers?: Record<string, string>;
  /** The agent's or the model family's temperature and top-p. */
  sampling?: { temperature?: number; topP?: number };
  /** Changes each call's sampling, provider options and headers (plugins' chat.params and chat.headers). */
  adjustCall?: (call: CallOptions) => Promise<CallOptions>;
}

/** What a model call is sent with, besides the conversation and the tools. */
export interface CallOptions {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  providerOptions?: Record<string, Record<string, unknown>>;
  headers?: Record<string, string>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function toUsage(usage: {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  inputTokenDetails?: { cacheReadTokens: number | undefined; cacheWriteTokens: number | undefined };
  outputTokenDetails?: { reasoningTokens: number | undefined };
}): TokenUsage {
  const cacheRead = usage.inputTokenDetails?.cacheReadTokens ?? 0;
  const cacheWrite = usage.inputTokenDetails?.cacheWriteTokens ?? 0;
  const reasoning = usage.outputTokenDetails?.reasoningTokens ?? 0;
  return {
    // Upstream counts input without the cached part, and output without reasoning.
    input: Math.max(0, (usage.inputTokens ?? 0) - cacheRead - cacheWrite),
    output: Math.max(0, (usage.outputTokens ?? 0) - reasoning),
    reasoning,
    cache: { read: cacheRead, write: cacheWrite },
  };
}

function costOf(usage: TokenUsage, price: ResolvedModel["info"]["cost"]): number {
  const perToken = (n: number, perMillion = 0) => (n * perMillion) / 1_000_000;
  return (
    perToken(usage.input, price.input) +
    perToken(usage.output + usage.reasoning, price.output) +
    perToken(usage.cache.read, price.cache.read) +
    perToken(usage.cache.write, price.cache.write)
  );
}

function isRetryable(error: unknown): error is APICallError {
  return APICallError.isInstance(error) && error.isRetryable;
}

function retryMessage(error: APICallError): string {
  try {
    const body = JSON.parse(error.responseBody ?? "") as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // not JSON: fall back to the SDK's message
  }
  return error.message;
}

/** Our tools as the AI SDK's: executed by the runner, the model reading their `output` text. */
function sdkTools(tools: ToolDefinition<never>[], runTool: ToolRunner, signal: AbortSignal): ToolSet {
  return Object.fromEntries(
    tools.map((definition) => [
      definition.id,
      dynamicTool({
        description: definition.description,
        inputSchema: jsonSchema(definition.parameters),
        execute: (args, { toolCallId, abortSignal }) =>
          runTool(definition, (args ?? {}) as Record<string, unknown>, { callID: toolCallId, signal: abortSignal ?? signal }),
        toModelOutput: ({ output }) => ({ type: "text", value: (output as ToolResult).output }),
      }),
    ]),
  );
}

/**
 * The model, with `invalid` left out of the tools each request offers: it only takes the calls
 * repaired below, as upstream keeps it (the SDK's activeTools would also hide it from the repair).
 */
function withoutInvalidTool(model: LanguageModel): LanguageModel {
  if (typeof model === "string") return model;
  return wrapLanguageModel({
    model: model as Parameters<typeof wrapLanguageModel>[0]["model"],
    middleware: {
      specificationVersion: "v3",
      transformParams: async ({ params }) => ({ ...params, tools: params.tools?.filter((tool) => tool.name !== "invalid") }),
    },
  });
}

/** Streams one model call (one step); yields its events; throws its error, if any. */
async function* streamOnce(input: LlmTurnInput): AsyncGenerator<AgentEvent> {
  const base: CallOptions = {
    ...input.sampling,
    maxOutputTokens: input.model.maxOutputTokens,
    providerOptions: input.providerOptions,
    headers: input.headers,
  };
  const { providerOptions, ...call } = input.adjustCall ? await input.adjustCall(base) : base;
  const result = streamText({
    model: withoutInvalidTool(input.model.language),
    system: input.system.join("\n"),
    messages: input.messages,
    ...(input.tools?.length && input.runTool ? { tools: sdkTools(input.tools, input.runTool, input.signal) } : {}),
    // As upstream repairs a call the SDK cannot parse: a tool name in the wrong case is lowered,
    // an unknown tool (or arguments that are not JSON) goes to `invalid`. Arguments that break
    // the schema reach the tool, which refuses them with upstream's message (tool/define.ts).
    experimental_repairToolCall: async ({ toolCall, error, tools }) => {
      const lower = toolCall.toolName.toLowerCase();
      if (lower !== toolCall.toolName && tools && lower in tools) return { ...toolCall, toolName: lower };
      return { ...toolCall, toolName: "invalid", input: JSON.stringify({ tool: toolCall.toolName, error: error.message }) };
    },
    abortSignal: input.signal,
    maxRetries: 0,
    ...call,
    ...(providerOptions ? { providerOptions: providerOptions as never } : {}),
    // Errors arrive as stream parts and are handled below; the SDK would also print them.
    onError: () => {},
  });
  for await (const part of result.fullStream) {
    switch (part.type) {
      case "start-step":
        yield { type: "step-start" };
        break;
      case "text-start":
      case "text-end":
      case "reasoning-start":
      case "reasoning-end":
        yield { type: part.type, id: part.id };
        break;
      case "text-delta":
      case "reasoning-delta":
        yield { type: part.type, id: part.id, delta: part.text };
        break;
      case "tool-input-start":
        yield { type: "tool-input-start", callID: part.id, tool: part.toolName };
        break;
      case "tool-call":
        yield { type: "tool-call", callID: part.toolCallId, tool: part.toolName, input: (part.input ?? {}) as Record<string, unknown> };
        break;
      case "tool-result": {
        const result = part.output as ToolResult;
        yield { type: "tool-result", callID: part.toolCallId, output: result.output, title: result.title, metadata: result.metadata };
        break;
      }
      case "tool-error":
        yield { type: "tool-error", callID: part.toolCallId, error: part.error instanceof Error ? part.error.message : String(part.error) };
        break;
      case "finish-step": {
        const usage = toUsage(part.usage);
        yield { type: "step-finish", reason: part.finishReason, usage, cost: costOf(usage, input.model.info.cost) };
        break;
      }
      case "error":
        throw part.error;
      case "abort":
        throw input.signal.reason ?? new DOMException("Aborted", "AbortError");
      default:
        break;
    }
  }
}

export async function* runLlmStep(input: LlmTurnInput): AsyncGenerator<AgentEvent> {
  const delays = input.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    let produced = false;
    try {
      for await (const event of streamOnce(input)) {
        produced = true;
        yield event;
      }
      return;
    } catch (error) {
      if (input.signal.aborted || produced || !isRetryable(error) || attempt >= delays.length) throw error;
      const delay = delays[attempt]!;
      yield { type: "retry", attempt: attempt + 1, message: retryMessage(error), next: Date.now() + delay };
      await sleep(delay, input.signal);
    }
  }
}
