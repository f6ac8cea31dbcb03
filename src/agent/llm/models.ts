// From OpenCode's provider configuration to an AI SDK language model. The same `provider` entries
// that make `opencode` talk to a model make this server talk to it: `npm` names the AI SDK
// package, `options` carries apiKey / baseURL / headers, keys come from the config, the
// environment (the provider's `env` names, or the well-known ones) or `auth.set`.
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import os from "node:os";
import path from "node:path";
import type { LanguageModel } from "ai";
import type { Config, ProviderConfig } from "../../../generated/schemas.js";
import { DEMO_SCRIPT_FILE, loadScript } from "../scripted/script.js";
import { ScriptedModel } from "../scripted/scripted-model.js";

export interface ModelRef {
  providerID: string;
  modelID: string;
}

/** Why a model cannot be used: upstream's ProviderAuthError or a plain error for a bad reference. */
export class ProviderAuthError extends Error {
  constructor(
    readonly providerID: string,
    message: string,
  ) {
    super(message);
  }
}

export class ModelNotFoundError extends Error {}

/** The built-in provider whose replies come from a script file instead of a model (no key, no network). */
export const SCRIPTED_PROVIDER = "scripted";
const SCRIPTED_NPM = "agentpool:scripted";

/** What runs when no provider can be used: the bundled demo script. */
export const DEMO_MODEL: ModelRef = { providerID: SCRIPTED_PROVIDER, modelID: "demo" };

/** Providers OpenCode knows without configuration: their AI SDK package and key variables. */
export const KNOWN_PROVIDERS: Record<string, { npm: string; env: string[] }> = {
  openai: { npm: "@ai-sdk/openai", env: ["OPENAI_API_KEY"] },
  anthropic: { npm: "@ai-sdk/anthropic", env: ["ANTHROPIC_API_KEY"] },
  [SCRIPTED_PROVIDER]: { npm: SCRIPTED_NPM, env: [] },
};

/** The script a scripted provider plays: `options.script` (relative to the served directory), else the demo. */
export function scriptFileOf(provider: ProviderConfig | undefined, directory: string): string {
  const file = provider?.options?.script;
  if (typeof file !== "string" || !file) return DEMO_SCRIPT_FILE;
  return path.resolve(directory, file.startsWith("~/") ? path.join(os.homedir(), file.slice(2)) : file);
}

type ModelConfig = NonNullable<ProviderConfig["models"]>[string];

export interface ResolvedModel {
  ref: ModelRef;
  language: LanguageModel;
  /** The model's configured output limit, sent as max_tokens as upstream does. */
  maxOutputTokens?: number;
  config: ModelConfig | undefined;
  /** Price per million tokens, for the cost of a step. */
  cost?: { input: number; output: number; cache_read?: number; cache_write?: number };
}

/** "provider/model" (the model id may itself contain slashes). */
export function parseModelRef(text: string): ModelRef | undefined {
  const slash = text.indexOf("/");
  if (slash <= 0 || slash === text.length - 1) return undefined;
  return { providerID: text.slice(0, slash), modelID: text.slice(slash + 1) };
}

export interface Credentials {
  /** A stored API key for a provider (auth.set), if any. */
  apiKey(providerID: string): string | undefined;
}

export const NO_STORED_CREDENTIALS: Credentials = { apiKey: () => undefined };

export function apiKeyOf(
  providerID: string,
  provider: ProviderConfig | undefined,
  env: NodeJS.ProcessEnv,
  credentials: Credentials,
): string | undefined {
  const fromOptions = provider?.options?.apiKey;
  if (fromOptions) return fromOptions;
  const stored = credentials.apiKey(providerID);
  if (stored) return stored;
  const names = provider?.env ?? KNOWN_PROVIDERS[providerID]?.env ?? [];
  return names.map((name) => env[name]).find(Boolean);
}

export function resolveModel(
  config: Config,
  ref: ModelRef,
  env: NodeJS.ProcessEnv = process.env,
  credentials = NO_STORED_CREDENTIALS,
  directory = process.cwd(),
): ResolvedModel {
  const provider = config.provider?.[ref.providerID];
  const known = KNOWN_PROVIDERS[ref.providerID];
  const npm = provider?.npm ?? known?.npm ?? (provider?.options?.baseURL ? "@ai-sdk/openai-compatible" : undefined);
  if (!npm) throw new ModelNotFoundError(`Provider not found: ${ref.providerID}`);
  const modelConfig = provider?.models?.[ref.modelID];
  if (provider?.models && !modelConfig && !known) throw new ModelNotFoundError(`Model not found: ${ref.providerID}/${ref.modelID}`);
  const apiKey = apiKeyOf(ref.providerID, provider, env, credentials);
  const options = (provider?.options ?? {}) as { baseURL?: string; headers?: Record<string, string> };
  const apiModelID = modelConfig?.id ?? ref.modelID;
  let language: LanguageModel;
  switch (npm) {
    case "@ai-sdk/openai-compatible":
      if (!options.baseURL) throw new ModelNotFoundError(`Provider ${ref.providerID} has no baseURL`);
      language = createOpenAICompatible({
        name: ref.providerID,
        baseURL: options.baseURL,
        apiKey,
        headers: options.headers,
        includeUsage: true,
      })(apiModelID);
      break;
    case "@ai-sdk/openai":
      if (!apiKey) throw new ProviderAuthError(ref.providerID, `No API key for provider ${ref.providerID}`);
      language = createOpenAI({ apiKey, baseURL: options.baseURL, headers: options.headers })(apiModelID);
      break;
    case "@ai-sdk/anthropic":
      if (!apiKey) throw new ProviderAuthError(ref.providerID, `No API key for provider ${ref.providerID}`);
      language = createAnthropic({ apiKey, baseURL: options.baseURL, headers: options.headers })(apiModelID);
      break;
    case SCRIPTED_NPM:
      try {
        language = new ScriptedModel(ref.modelID, loadScript(scriptFileOf(provider, directory)));
      } catch (error) {
        throw new ModelNotFoundError(`Provider ${ref.providerID}: the script cannot be used: ${(error as Error).message}`);
      }
      break;
    default:
      throw new ModelNotFoundError(`Provider ${ref.providerID} uses ${npm}, which this server does not bundle`);
  }
  const limit = (modelConfig as { limit?: { output?: number } } | undefined)?.limit;
  return { ref, language, maxOutputTokens: limit?.output, config: modelConfig, cost: modelConfig?.cost };
}

/** The model a prompt runs on when it names none: the config's `model`. */
export function defaultModel(config: Config): ModelRef | undefined {
  return config.model ? parseModelRef(config.model) : undefined;
}

/** The model for titles and summaries: `small_model`, else the default. */
export function smallModel(config: Config): ModelRef | undefined {
  return (config.small_model ? parseModelRef(config.small_model) : undefined) ?? defaultModel(config);
}
