// The `scripted` provider's model: an AI SDK language model whose replies come from a script
// instead of an LLM. It plugs in where any provider's model does, so its tool calls really run
// through the tools and the permission rules, and a client sees the same events as with an LLM.
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import { APICallError } from "@ai-sdk/provider";
import { COMPACTION_SYSTEM_PROMPT, TITLE_SYSTEM_PROMPT } from "../llm/system-prompt.js";
import { matchRule, segments, type Script, type ScriptStep } from "./script.js";

const DEFAULT_CHUNK_DELAY_MS = 15;

function textOf(content: LanguageModelV3Prompt[number]["content"]): string {
  if (typeof content === "string") return content;
  return content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

/** What the script answers: the last prompt's text, and how many model calls of this reply came before. */
function conversationState(prompt: LanguageModelV3Prompt) {
  const lastUser = prompt.findLastIndex((message) => message.role === "user");
  const system = prompt
    .filter((message) => message.role === "system")
    .map((message) => textOf(message.content))
    .join("\n");
  return {
    system,
    text: lastUser >= 0 ? textOf(prompt[lastUser]!.content) : "",
    round: prompt.slice(lastUser + 1).filter((message) => message.role === "assistant").length,
  };
}

/** Title and summary requests get a plain answer from the prompt itself, not a script rule. */
function helperReply(system: string, text: string): string | undefined {
  const firstLine = text.trim().split("\n")[0] ?? "";
  if (system.startsWith(TITLE_SYSTEM_PROMPT)) return firstLine.slice(0, 50) || "Scripted session";
  if (system.startsWith(COMPACTION_SYSTEM_PROMPT))
    return `Summary: the conversation so far (scripted). Last request: ${firstLine.slice(0, 200)}`;
  return undefined;
}

/** Stream pieces of a few words, like a model's tokens. */
function chunks(text: string): string[] {
  return (
    text
      .match(/\S+\s*|\s+/g)
      ?.reduce<string[]>((acc, word, i) => (i % 3 === 0 ? acc.push(word) : (acc[acc.length - 1] += word), acc), []) ?? []
  );
}

function usage(inputChars: number, outputChars: number): LanguageModelV3Usage {
  // No tokenizer here: about four characters a token, as a rough figure for the session's totals.
  const input = Math.ceil(inputChars / 4);
  const output = Math.ceil(outputChars / 4);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

function toolCallOf(step: ScriptStep): { toolName: string; input: Record<string, unknown> } | undefined {
  if ("tool" in step) return { toolName: step.tool, input: step.input ?? {} };
  if ("question" in step)
    return {
      toolName: "question",
      input: {
        questions: [
          {
            question: step.question,
            header: step.header ?? step.question.slice(0, 30),
            options: (step.options ?? []).map((label) => ({ label, description: label })),
            ...(step.multiple ? { multiple: true } : {}),
          },
        ],
      },
    };
  return undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function scriptError(message: string): APICallError {
  return new APICallError({
    message,
    url: "scripted://",
    requestBodyValues: {},
    statusCode: 400,
    responseBody: JSON.stringify({ error: { message } }),
    isRetryable: false,
  });
}

export class ScriptedModel implements LanguageModelV3 {
  readonly specificationVersion = "v3";
  readonly provider = "scripted";
  readonly supportedUrls = {};

  constructor(
    readonly modelId: string,
    private readonly script: Script,
  ) {}

  /** The steps this call plays: the matching rule's segment for this round, with {{prompt}} filled in. */
  private stepsFor(options: LanguageModelV3CallOptions): { steps: ScriptStep[]; promptChars: number } {
    const { system, text, round } = conversationState(options.prompt);
    const promptChars = JSON.stringify(options.prompt).length;
    const helper = helperReply(system, text);
    if (helper !== undefined) return { steps: round === 0 ? [{ text: helper }] : [], promptChars };
    const rule = matchRule(this.script, text);
    const steps = rule ? (segments(rule.steps)[round] ?? []) : [{ text: `(no rule of the script matches: ${text})` }];
    const fill = (value: string) => value.replaceAll("{{prompt}}", text.trim());
    return {
      steps: steps.map((step) =>
        "text" in step ? { text: fill(step.text) } : "reasoning" in step ? { reasoning: fill(step.reasoning) } : step,
      ),
      promptChars,
    };
  }

  async doGenerate(options: LanguageModelV3CallOptions) {
    const { steps, promptChars } = this.stepsFor(options);
    const content: LanguageModelV3Content[] = [];
    steps.forEach((step, i) => {
      if ("error" in step) throw scriptError(step.error);
      if ("text" in step) content.push({ type: "text", text: step.text });
      if ("reasoning" in step) content.push({ type: "reasoning", text: step.reasoning });
      const call = toolCallOf(step);
      if (call)
        content.push({ type: "tool-call", toolCallId: `call_scripted_${i}`, toolName: call.toolName, input: JSON.stringify(call.input) });
    });
    const calls = content.some((part) => part.type === "tool-call");
    const outputChars = JSON.stringify(content).length;
    return {
      content,
      finishReason: { unified: calls ? ("tool-calls" as const) : ("stop" as const), raw: undefined },
      usage: usage(promptChars, outputChars),
      warnings: [],
    };
  }

  async doStream(options: LanguageModelV3CallOptions) {
    const { steps, promptChars } = this.stepsFor(options);
    const delay = this.script.chunkDelayMs ?? DEFAULT_CHUNK_DELAY_MS;
    const signal = options.abortSignal;
    let outputChars = 0;
    const play = async function* (): AsyncGenerator<LanguageModelV3StreamPart> {
      yield { type: "stream-start", warnings: [] };
      let calls = 0;
      for (const [i, step] of steps.entries()) {
        if ("delay" in step) await sleep(step.delay, signal);
        if ("error" in step) throw scriptError(step.error);
        if ("text" in step || "reasoning" in step) {
          const kind = "text" in step ? "text" : "reasoning";
          const id = `${kind}_${i}`;
          yield { type: `${kind}-start`, id };
          for (const piece of chunks("text" in step ? step.text : step.reasoning)) {
            await sleep(delay, signal);
            outputChars += piece.length;
            yield { type: `${kind}-delta`, id, delta: piece };
          }
          yield { type: `${kind}-end`, id };
        }
        const call = toolCallOf(step);
        if (call) {
          const id = `call_scripted_${Date.now().toString(36)}_${i}`;
          const input = JSON.stringify(call.input);
          outputChars += input.length;
          calls++;
          yield { type: "tool-input-start", id, toolName: call.toolName };
          yield { type: "tool-input-delta", id, delta: input };
          yield { type: "tool-input-end", id };
          yield { type: "tool-call", toolCallId: id, toolName: call.toolName, input };
        }
      }
      yield {
        type: "finish",
        usage: usage(promptChars, outputChars),
        finishReason: { unified: calls > 0 ? "tool-calls" : "stop", raw: undefined },
      };
    };
    const parts = play();
    return {
      stream: new ReadableStream<LanguageModelV3StreamPart>({
        async pull(controller) {
          try {
            const next = await parts.next();
            if (next.done) controller.close();
            else controller.enqueue(next.value);
          } catch (error) {
            controller.error(error);
          }
        },
        async cancel() {
          await parts.return(undefined);
        },
      }),
    };
  }
}
