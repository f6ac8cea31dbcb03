// From a model reference ("anthropic/claude-sonnet-4-6") to an AI SDK language model: the model
// as the provider list has it (catalogue, environment, auth.set, config), its package, key,
// options and headers, as upstream builds the request.
import type { Config, Model, Provider } from "../../../generated/schemas.js";
import { listProviders, NO_STORED_CREDENTIALS, type Credentials } from "../../provider/provider-list.js";
import { scriptFileOf, SCRIPTED_NPM } from "../../provider/scripted-provider.js";
import { sdkModel } from "../../provider/sdk-packages.js";
import { smallModelOf } from "../../provider/model-order.js";
import { UPSTREAM_VERSION } from "../../version.js";
import { loadScript } from "../scripted/script.js";
import { ScriptedModel } from "../scripted/scripted-model.js";
import type { ModelRef, ResolvedModel } from "./resolved-model.js";

export type { Credentials, ModelRef, ResolvedModel };
export { NO_STORED_CREDENTIALS };

/** Why a model cannot be used: upstream's ProviderAuthError. */
export class ProviderAuthError extends Error {
  constructor(
    readonly providerID: string,
    message: string,
  ) {
    super(message);
  }
}

/** The reference names no connected provider or no model of it; says what was meant where it can. */
export class ModelNotFoundError extends Error {
  constructor(
    readonly ref: ModelRef,
    readonly suggestions: string[] = [],
  ) {
    super(`Model not found: ${ref.providerID}/${ref.modelID}.` + (suggestions.length ? ` Did you mean: ${suggestions.join(", ")}?` : ""));
  }
}

// Upstream caps what it asks a model to write at once, whatever the model's own limit.
const OUTPUT_TOKEN_MAX = 32_000;

/** "provider/model" (the model id may itself contain slashes). */
export function parseModelRef(text: string): ModelRef | undefined {
  const slash = text.indexOf("/");
  if (slash <= 0 || slash === text.length - 1) return undefined;
  return { providerID: text.slice(0, slash), modelID: text.slice(slash + 1) };
}

/** How alike two names are: the share of letter pairs they have in common (Dice's coefficient). */
function likeness(a: string, b: string): number {
  const pairs = (text: string) => Array.from({ length: Math.max(0, text.length - 1) }, (_, i) => text.slice(i, i + 2));
  const left = pairs(a.toLowerCase());
  const right = pairs(b.toLowerCase());
  let common = 0;
  for (const pair of left) {
    const at = right.indexOf(pair);
    if (at >= 0) {
      common++;
      right.splice(at, 1);
    }
  }
  return left.length + right.length + common === 0 ? 0 : (2 * common) / (left.length + right.length + common);
}

/** The names most like the one asked for, best first, as upstream's "Did you mean". */
function suggest(asked: string, names: string[]): string[] {
  return names
    .map((name) => {
      const [a, b] = [asked.toLowerCase(), name.toLowerCase()];
      return { name, score: a.includes(b) || b.includes(a) ? 1 : likeness(a, b) };
    })
    .filter((c) => c.score >= 0.3)
    .sort((a, b) => b.score - a.score)
    .slice(0, 3)
    .map((c) => c.name);
}

function withEnv(url: string, env: NodeJS.ProcessEnv): string {
  return url.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => env[name] ?? "");
}

// Of a provider's variables, those that hold a key (not a region, account or resource name).
const KEY_VARIABLE = /(API_?KEY|APIKEY|TOKEN|_PAT)$/;

/** Upstream reports no key for providers with several variables; the package still needs the one set. */
function keyFromEnv(provider: Provider, env: NodeJS.ProcessEnv): string | undefined {
  return provider.env
    .filter((name) => KEY_VARIABLE.test(name))
    .map((name) => env[name])
    .find(Boolean);
}

function languageModel(provider: Provider, model: Model, env: NodeJS.ProcessEnv, directory: string) {
  if (model.api.npm === SCRIPTED_NPM) {
    try {
      return { language: new ScriptedModel(model.id, loadScript(scriptFileOf(provider.options, directory))), optionsKey: provider.id };
    } catch (error) {
      // Not refused when prompted: the run ends with this error, naming the place in the script.
      throw new Error(`Provider ${provider.id}: the script cannot be used: ${(error as Error).message}`);
    }
  }
  const key = (provider.options.apiKey as string | undefined) ?? provider.key ?? keyFromEnv(provider, env);
  const headers = {
    "User-Agent": `opencode/${UPSTREAM_VERSION}`,
    ...((provider.options.headers as Record<string, string> | undefined) ?? {}),
    ...model.headers,
  };
  return sdkModel(provider.id, model.api.npm, withEnv(model.api.url, env), model.api.id, {
    ...provider.options,
    ...(key ? { apiKey: key } : {}),
    headers,
  });
}

export function resolveModel(
  config: Config,
  ref: ModelRef,
  env: NodeJS.ProcessEnv = process.env,
  credentials: Credentials = NO_STORED_CREDENTIALS,
  directory = process.cwd(),
): ResolvedModel {
  const list = listProviders(config, env, credentials);
  const provider = list.byID.get(ref.providerID);
  if (!provider) {
    const listed = list.all.find((p) => p.id === ref.providerID);
    if (listed)
      throw new ProviderAuthError(
        ref.providerID,
        `No API key for provider ${listed.name}: set ${listed.env.join(" or ") || "its key"}, or give one with /connect`,
      );
    throw new ModelNotFoundError(ref, suggest(ref.providerID, [...list.byID.keys()]));
  }
  const info = provider.models[ref.modelID];
  if (!info) throw new ModelNotFoundError(ref, suggest(ref.modelID, Object.keys(provider.models)));
  const { language, optionsKey } = languageModel(provider, info, env, directory);
  return { ref, language, info, provider, maxOutputTokens: Math.min(info.limit.output, OUTPUT_TOKEN_MAX) || OUTPUT_TOKEN_MAX, optionsKey };
}

/** The provider options of a request: the model's own, the agent's, then the chosen variant's, under the package's key. */
export function requestOptions(
  model: ResolvedModel,
  variant: string | undefined,
  agentOptions: Record<string, unknown> = {},
): Record<string, Record<string, unknown>> | undefined {
  const chosen = variant && variant !== "default" ? model.info.variants?.[variant] : undefined;
  const options = { ...model.info.options, ...agentOptions, ...(chosen ?? {}) };
  return Object.keys(options).length ? { [model.optionsKey]: options } : undefined;
}

/** The model a prompt runs on when it names none: the config's `model`. */
export function defaultModel(config: Config): ModelRef | undefined {
  return config.model ? parseModelRef(config.model) : undefined;
}

/** The model for titles and summaries: `small_model`, else the provider's small model, else the main one. */
export function smallModel(
  config: Config,
  main: ModelRef | undefined,
  env: NodeJS.ProcessEnv = process.env,
  credentials: Credentials = NO_STORED_CREDENTIALS,
): ModelRef | undefined {
  if (config.small_model) return parseModelRef(config.small_model);
  if (!main) return undefined;
  const provider = listProviders(config, env, credentials).byID.get(main.providerID);
  const small = provider ? smallModelOf(provider.id, Object.keys(provider.models)) : undefined;
  return small ? { providerID: main.providerID, modelID: small } : main;
}
