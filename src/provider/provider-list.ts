// The providers and models a directory's configuration offers, as upstream lists them: the
// catalogue, each provider connected by a key in the environment, a key given with auth.set, the
// config's `provider` entries laid over the catalogue, or (OpenCode Zen) no key at all; then the
// config's enabled/disabled lists. /provider, /config/providers and the v2 catalog answer from it.
import os from "node:os";
import type { Config, Model, Provider } from "../../generated/schemas.js";
import { upstreamCatalogue, type ConnectedForm } from "./catalogue.js";
import { configuredModel, mergeDeep } from "./config-models.js";
import { sortModels } from "./model-order.js";
import { DEMO_MODEL, SCRIPTED_NPM, SCRIPTED_PROVIDER } from "./scripted-provider.js";

export interface Credentials {
  /** A stored API key for a provider (auth.set), if any. */
  apiKey(providerID: string): string | undefined;
}

export const NO_STORED_CREDENTIALS: Credentials = { apiKey: () => undefined };

export interface ProviderList {
  /** Every provider, connected ones as connected. */
  all: Provider[];
  /** providerID -> its default model id. */
  default: Record<string, string>;
  /** Providers that can be used now, in upstream's order. */
  connected: string[];
  /** The connected providers by id. */
  byID: Map<string, Provider>;
}

const PLATFORM = `(${os.platform()} ${os.release()}; ${os.arch()})`;
const ENV_REF = /\{env:([A-Za-z0-9_]+)\}/g;

/** Puts the user's environment into a recorded `{env:NAME}` template; options left empty are dropped. */
function fillEnv(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === "string") {
    const whole = /^\{env:([A-Za-z0-9_]+)\}$/.exec(value);
    if (whole) return env[whole[1]!] || undefined;
    return value.replace(ENV_REF, (_, name: string) => env[name] ?? "").replaceAll("({platform})", PLATFORM);
  }
  if (Array.isArray(value)) return value.map((v) => fillEnv(v, env));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const filled = fillEnv(v, env);
      if (filled !== undefined) out[k] = filled;
    }
    return out;
  }
  return value;
}

function connect(base: Provider, form: ConnectedForm | undefined, env: NodeJS.ProcessEnv, stored: string | undefined): Provider {
  const models: Record<string, Model> = { ...base.models };
  for (const id of form?.removedModels ?? []) delete models[id];
  Object.assign(models, form?.models ?? {});
  const key = stored ?? (form?.key ? (fillEnv(form.key, env) as string | undefined) : undefined);
  return {
    ...base,
    source: stored ? "api" : (form?.source ?? "env"),
    ...(key ? { key } : {}),
    options: (fillEnv(form?.options ?? base.options, env) ?? {}) as Record<string, unknown>,
    models,
  };
}

/** A `provider` config entry laid over the provider as listed or connected (or on its own). */
function configure(id: string, entry: NonNullable<Config["provider"]>[string], existing: Provider | undefined): Provider {
  const models: Record<string, Model> = { ...(existing?.models ?? {}) };
  // A configured script without models plays as the demo model does.
  const scripted = id === SCRIPTED_PROVIDER;
  const own = entry.models ?? (scripted && !existing ? { [DEMO_MODEL.modelID]: { name: "Demo script (no LLM)" } } : {});
  const npm = entry.npm ?? (scripted ? SCRIPTED_NPM : undefined);
  for (const [modelID, model] of Object.entries(own)) {
    models[modelID] = configuredModel(id, modelID, model, { npm, api: entry.api }, models[model.id ?? modelID]);
  }
  for (const modelID of Object.keys(models)) {
    const listed = (entry.whitelist ?? [modelID]).includes(modelID) && !(entry.blacklist ?? []).includes(modelID);
    if (!listed || models[modelID]!.status === "deprecated") delete models[modelID];
  }
  return {
    id,
    name: entry.name ?? existing?.name ?? id,
    source: "config",
    env: entry.env ?? existing?.env ?? [],
    ...(existing?.key ? { key: existing.key } : {}),
    options: mergeDeep(existing?.options ?? {}, (entry.options ?? {}) as Record<string, unknown>),
    models,
  };
}

/** The bundled demo script, offered while nothing but keyless providers is connected. */
function demoProvider(): Provider {
  const model = configuredModel(SCRIPTED_PROVIDER, DEMO_MODEL.modelID, { name: "Demo script (no LLM)" }, { npm: SCRIPTED_NPM }, undefined);
  return {
    id: SCRIPTED_PROVIDER,
    name: "Demo script (no LLM configured)",
    source: "custom",
    env: [],
    options: {},
    models: { [model.id]: model },
  };
}

// The catalogue's providers are shared and never change: their best model is found once, not per request.
const bestModels = new WeakMap<Provider, string | undefined>();

/** A provider's default model: the first of its models in upstream's order. */
function bestModel(provider: Provider): string | undefined {
  if (!bestModels.has(provider)) bestModels.set(provider, sortModels(Object.values(provider.models))[0]?.id);
  return bestModels.get(provider);
}

export function listProviders(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
  credentials: Credentials = NO_STORED_CREDENTIALS,
): ProviderList {
  const catalogue = upstreamCatalogue();
  const disabled = new Set(config.disabled_providers ?? []);
  const enabled = config.enabled_providers ? new Set(config.enabled_providers) : undefined;
  const allowed = (id: string) => !disabled.has(id) && (!enabled || enabled.has(id));
  const configured = config.provider ?? {};
  const { providers } = catalogue;
  // Listed providers by id, each read from the catalogue only when something asks for it.
  const listed = new Set<string>();
  const connected = new Map<string, Provider>();
  for (const { id, env: keys } of providers.index) {
    if (!allowed(id)) continue;
    listed.add(id);
    const stored = credentials.apiKey(id);
    if (stored || keys.some((name) => env[name])) connected.set(id, connect(providers.get(id)!, catalogue.connected.get(id), env, stored));
  }
  // Upstream adds the providers it connects without a key after the keyed ones.
  for (const id of catalogue.keyless) if (listed.has(id) && !connected.has(id)) connected.set(id, providers.get(id)!);
  for (const [id, entry] of Object.entries(configured)) {
    if (!allowed(id)) continue;
    connected.set(id, configure(id, entry, connected.get(id) ?? (listed.has(id) ? providers.get(id) : undefined)));
  }
  const keyed = [...connected.values()].some((p) => !(catalogue.keyless.has(p.id) && p.source === "custom"));
  if (!keyed && !connected.has(SCRIPTED_PROVIDER) && allowed(SCRIPTED_PROVIDER)) connected.set(SCRIPTED_PROVIDER, demoProvider());
  for (const [id, provider] of connected) if (Object.keys(provider.models).length === 0) connected.delete(id);

  // The whole list: the listed providers in the catalogue's order, connected ones as connected,
  // then the connected ones the catalogue does not list.
  const order = [...listed, ...[...connected.keys()].filter((id) => !listed.has(id))];
  // `all` and `default` read every provider of the catalogue: made when first asked for (GET
  // /provider, the v2 catalogue), not for the prompts and model lookups that only need `byID`.
  let all: Provider[] | undefined;
  let defaults: Record<string, string> | undefined;
  const list: ProviderList = {
    get all() {
      return (all ??= order.map((id) => connected.get(id) ?? providers.get(id)!));
    },
    get default() {
      if (!defaults) {
        defaults = {};
        for (const provider of list.all) {
          const first = bestModel(provider);
          if (first) defaults[provider.id] = first;
        }
      }
      return defaults;
    },
    // /provider lists the connected ones in the order of the whole list.
    connected: order.filter((id) => connected.has(id)),
    byID: connected,
  };
  return list;
}

/**
 * The model a prompt runs on when neither it, its agent, its session nor `model` names one:
 * the first connected provider (one of the configured ones, when the config has any), best model first.
 */
export function fallbackModel(list: ProviderList, config: Config): { providerID: string; modelID: string } | undefined {
  const configured = config.provider ? Object.keys(config.provider) : undefined;
  const provider = [...list.byID.values()].find((p) => !configured || configured.includes(p.id)) ?? list.byID.values().next().value;
  const model = provider ? bestModel(provider) : undefined;
  return provider && model ? { providerID: provider.id, modelID: model } : undefined;
}

/** /provider/auth: upstream's sign-in methods per provider. */
export function providerAuthMethods() {
  return upstreamCatalogue().auth;
}
