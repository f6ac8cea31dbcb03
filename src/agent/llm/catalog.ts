// The providers and models a directory's configuration offers, in the shapes /provider and
// /config/providers answer. Without network access there is no models.dev catalogue here: the
// providers are the configured ones, plus the well-known ones whose key is in the environment.
import type { Config, Model, Provider, ProviderConfig } from "../../../generated/schemas.js";
import {
  DEMO_MODEL,
  KNOWN_PROVIDERS,
  NO_STORED_CREDENTIALS,
  SCRIPTED_PROVIDER,
  apiKeyOf,
  parseModelRef,
  type Credentials,
  type ModelRef,
} from "./models.js";

type ModelConfig = NonNullable<ProviderConfig["models"]>[string];

const TEXT_ONLY = { text: true, audio: false, image: false, video: false, pdf: false };

function modalities(list: string[] | undefined) {
  if (!list) return TEXT_ONLY;
  return {
    text: list.includes("text"),
    audio: list.includes("audio"),
    image: list.includes("image"),
    video: list.includes("video"),
    pdf: list.includes("pdf"),
  };
}

function toModel(providerID: string, modelID: string, config: ModelConfig, provider: ProviderConfig | undefined, npm: string): Model {
  const cost = config.cost;
  const modalitiesConfig = (config as { modalities?: { input?: string[]; output?: string[] } }).modalities;
  const interleaved = config.interleaved;
  return {
    id: modelID,
    providerID,
    api: { id: config.id ?? modelID, url: (provider?.options?.baseURL as string | undefined) ?? "", npm },
    name: config.name ?? modelID,
    family: config.family ?? "",
    capabilities: {
      temperature: config.temperature ?? false,
      reasoning: config.reasoning ?? false,
      attachment: config.attachment ?? false,
      toolcall: config.tool_call ?? true,
      input: modalities(modalitiesConfig?.input),
      output: modalities(modalitiesConfig?.output),
      interleaved: typeof interleaved === "string" ? { field: interleaved } : (interleaved ?? false),
    },
    cost: { input: cost?.input ?? 0, output: cost?.output ?? 0, cache: { read: cost?.cache_read ?? 0, write: cost?.cache_write ?? 0 } },
    limit: { context: config.limit?.context ?? 0, output: config.limit?.output ?? 0 },
    status: config.status ?? "active",
    options: (config.options ?? {}) as Record<string, unknown>,
    headers: (config.headers ?? {}) as Record<string, string>,
    release_date: config.release_date ?? "",
    ...(config.variants ? { variants: config.variants as Record<string, Record<string, unknown>> } : {}),
  };
}

export interface ProviderCatalog {
  all: Provider[];
  /** providerID -> its default model id. */
  default: Record<string, string>;
  /** Providers that can be used now (a key is known, or none is needed). */
  connected: string[];
}

export function providerCatalog(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
  credentials: Credentials = NO_STORED_CREDENTIALS,
): ProviderCatalog {
  const ids = new Set([...Object.keys(config.provider ?? {}), ...Object.keys(KNOWN_PROVIDERS)]);
  const disabled = new Set(config.disabled_providers ?? []);
  const enabled = config.enabled_providers ? new Set(config.enabled_providers) : undefined;
  const chosen = config.model ? parseModelRef(config.model) : undefined;
  const catalog: ProviderCatalog = { all: [], default: {}, connected: [] };
  for (const id of ids) {
    if (disabled.has(id) || (enabled && !enabled.has(id))) continue;
    const provider = config.provider?.[id];
    const known = KNOWN_PROVIDERS[id];
    const key = apiKeyOf(id, provider, env, credentials);
    // A well-known provider nobody configured appears once its key is in the environment.
    if (!provider && !key) continue;
    const npm = provider?.npm ?? known?.npm ?? "@ai-sdk/openai-compatible";
    const scripted = id === SCRIPTED_PROVIDER;
    const modelConfigs = provider?.models ?? (scripted ? { [DEMO_MODEL.modelID]: { name: DEMO_MODEL_NAME } } : {});
    const models = Object.fromEntries(
      Object.entries(modelConfigs).map(([modelID, model]) => [modelID, toModel(id, modelID, model, provider, npm)]),
    );
    catalog.all.push({
      id,
      name: provider?.name ?? id,
      // Where it comes from: the config, a key given with auth.set ("api"), or the environment.
      source: provider ? "config" : credentials.apiKey(id) ? "api" : "env",
      env: provider?.env ?? known?.env ?? [],
      // A key the user put in the config is not echoed; one found elsewhere is reported, as upstream.
      ...(key && !provider?.options?.apiKey ? { key } : {}),
      options: (provider?.options ?? {}) as Record<string, unknown>,
      models,
    });
    const modelIDs = Object.keys(models);
    const preferred = chosen?.providerID === id && modelIDs.includes(chosen.modelID) ? chosen.modelID : modelIDs[0];
    if (preferred) catalog.default[id] = preferred;
    // Keyless OpenAI-compatible endpoints (local servers) and scripts are usable as they are.
    if (key || scripted || (npm === "@ai-sdk/openai-compatible" && provider?.options?.baseURL)) catalog.connected.push(id);
  }
  // Nothing usable: offer the bundled demo script, so a client can still show a session working.
  const scriptedAllowed = !disabled.has(SCRIPTED_PROVIDER) && (!enabled || enabled.has(SCRIPTED_PROVIDER));
  if (catalog.connected.length === 0 && scriptedAllowed) {
    const npm = KNOWN_PROVIDERS[SCRIPTED_PROVIDER]!.npm;
    catalog.all.push({
      id: SCRIPTED_PROVIDER,
      name: "Demo script (no LLM configured)",
      source: "custom",
      env: [],
      options: {},
      models: { [DEMO_MODEL.modelID]: toModel(SCRIPTED_PROVIDER, DEMO_MODEL.modelID, { name: DEMO_MODEL_NAME }, undefined, npm) },
    });
    catalog.default[SCRIPTED_PROVIDER] = DEMO_MODEL.modelID;
    catalog.connected.push(SCRIPTED_PROVIDER);
  }
  return catalog;
}

const DEMO_MODEL_NAME = "Demo script (no LLM)";

/** The model used when neither the request, the agent, the session nor `model` names one: the first usable. */
export function fallbackModel(catalog: ProviderCatalog): ModelRef | undefined {
  const providerID = catalog.connected.find((id) => catalog.default[id]);
  return providerID ? { providerID, modelID: catalog.default[providerID]! } : undefined;
}

/** /provider/auth: how a key can be given for each provider that takes one. */
export function providerAuthMethods(catalog: ProviderCatalog): Record<string, { type: "api"; label: string }[]> {
  return Object.fromEntries(
    catalog.all.filter((p) => p.env.length > 0).map((p) => [p.id, [{ type: "api" as const, label: "Manually enter API Key" }]]),
  );
}
