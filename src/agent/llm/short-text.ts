// Asking a model for a short text on the side of a run (a session title, a name for a project
// copy): streamed, as upstream asks, with the model's output limit, its reasoning tags removed.
// A failure rejects; callers fall back to a name of their own.
import type { ModelMessage } from "ai";
import type { SharedV3ProviderOptions } from "@ai-sdk/provider";
import type { ResolvedModel } from "./resolved-model.js";
import { loadAiSdk } from "./ai-sdk.js";

export interface ShortTextRequest {
  system?: string;
  messages: ModelMessage[];
  providerOptions?: SharedV3ProviderOptions;
  headers?: Record<string, string>;
  maxRetries?: number;
}

export async function askShortText(model: ResolvedModel, request: ShortTextRequest): Promise<string> {
  const { streamText } = await loadAiSdk();
  const result = streamText({
    maxRetries: 0,
    ...request,
    model: model.language,
    maxOutputTokens: model.maxOutputTokens,
    // A failed stream rejects `text` below; the stream's own report would only repeat it.
    onError: () => {},
  });
  return (await result.text).replace(/<think>[\s\S]*?<\/think>\s*/g, "").trim();
}
