// The plugin hooks of a model call, as upstream calls them before each request: `chat.params`
// (temperature, topP, topK, maxOutputTokens and the provider's options) and then `chat.headers`
// (extra request headers, starting empty). The provider options travel under the provider
// package's key in the request; plugins see and change the unkeyed object, as upstream's.
import type { Model, Provider, UserMessage } from "../../generated/schemas.js";
import type { CallOptions } from "../agent/llm/llm-turn.js";

/** What the turn knows about the call. */
export interface ModelCallContext {
  sessionID: string;
  agent: string;
  model: Model;
  provider: Provider;
  /** Where the provider options go in the request (the package's key). */
  optionsKey: string;
  message: UserMessage;
}

export type { CallOptions as ModelCallOptions };

type Trigger = (name: "chat.params" | "chat.headers", input: unknown, output: object) => Promise<object>;

/** A function that runs both hooks over a call's options and answers the changed options. */
export function modelCallAdjuster(context: ModelCallContext, trigger: Trigger): (options: CallOptions) => Promise<CallOptions> {
  const input = {
    sessionID: context.sessionID,
    agent: context.agent,
    model: context.model,
    provider: { source: "config", info: context.provider, options: context.provider.options },
    message: context.message,
  };
  return async (options) => {
    const params = {
      temperature: options.temperature,
      topP: options.topP,
      topK: options.topK,
      maxOutputTokens: options.maxOutputTokens,
      options: { ...(options.providerOptions?.[context.optionsKey] ?? {}) } as Record<string, unknown>,
    };
    await trigger("chat.params", input, params);
    const { headers } = (await trigger("chat.headers", input, { headers: {} })) as { headers: Record<string, string> };
    const rest = Object.fromEntries(Object.entries(options.providerOptions ?? {}).filter(([key]) => key !== context.optionsKey));
    const providerOptions = Object.keys(params.options).length ? { ...rest, [context.optionsKey]: params.options } : rest;
    return {
      temperature: params.temperature,
      topP: params.topP,
      topK: params.topK,
      maxOutputTokens: params.maxOutputTokens,
      ...(Object.keys(providerOptions).length ? { providerOptions } : {}),
      headers: { ...options.headers, ...headers },
    };
  };
}
