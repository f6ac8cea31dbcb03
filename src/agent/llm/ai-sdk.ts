// The Vercel AI SDK (`ai`, which loads its gateway provider and OpenTelemetry with it) takes about
// 130 ms and 20 MB to load, about a quarter of the server's start; only a model call needs it, so
// it is imported on the first call instead of at start. Errors the server tells apart (APICallError)
// come from @ai-sdk/provider, the same classes `ai` re-exports.
export type AiSdk = typeof import("ai");

let loading: Promise<AiSdk> | undefined;

export function loadAiSdk(): Promise<AiSdk> {
  return (loading ??= import("ai"));
}

let turnModule: Promise<typeof import("./llm-turn.js")> | undefined;

/** ./llm-turn.ts, which imports `ai`: loaded on the first model call. */
export function loadLlmTurn(): Promise<typeof import("./llm-turn.js")> {
  return (turnModule ??= import("./llm-turn.js"));
}
