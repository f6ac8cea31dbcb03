// A model entry of the `provider` config key, laid over the catalogue's model of the same id (or
// standing alone), field by field as upstream merges them.
import type { Model, ProviderConfig } from "../../generated/schemas.js";

export type ModelConfig = NonNullable<ProviderConfig["models"]>[string];
type Modality = keyof Model["capabilities"]["input"];
type Variants = Record<string, Record<string, unknown>>;

const MODALITIES: Modality[] = ["text", "audio", "image", "video", "pdf"];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Objects merge key by key (the second wins); anything else is replaced. */
export function mergeDeep<T extends Record<string, unknown>>(base: T, over: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = isObject(value) && isObject(out[key]) ? mergeDeep(out[key] as Record<string, unknown>, value) : value;
  }
  return out as T;
}

function modalities(list: string[] | undefined, existing: Model["capabilities"]["input"] | undefined, textDefault: boolean) {
  return Object.fromEntries(
    MODALITIES.map((m) => [m, list ? list.includes(m) : (existing?.[m] ?? (m === "text" ? textDefault : false))]),
  ) as Model["capabilities"]["input"];
}

/**
 * Reasoning levels for a model the catalogue does not know, by its package: the effort levels
 * OpenAI-style APIs take, Anthropic's thinking budgets, Gemini's thinking budgets.
 */
function derivedVariants(npm: string, reasoning: boolean): Variants {
  if (!reasoning) return {};
  if (npm === "@ai-sdk/anthropic")
    return {
      high: { thinking: { type: "enabled", budgetTokens: 16_000 } },
      max: { thinking: { type: "enabled", budgetTokens: 31_999 } },
    };
  if (npm === "@ai-sdk/google")
    return {
      low: { thinkingConfig: { includeThoughts: true, thinkingBudget: 4_096 } },
      high: { thinkingConfig: { includeThoughts: true, thinkingBudget: 16_000 } },
    };
  return Object.fromEntries(["low", "medium", "high"].map((effort) => [effort, { reasoningEffort: effort }]));
}

/** Variants a config marks `disabled: true` disappear; the others merge over the model's own. */
function mergeVariants(own: Variants, configured: Variants | undefined): Variants {
  const merged = mergeDeep(own, configured ?? {});
  return Object.fromEntries(
    Object.entries(merged)
      .filter(([, v]) => !(v as { disabled?: boolean }).disabled)
      .map(([name, v]) => [name, Object.fromEntries(Object.entries(v).filter(([k]) => k !== "disabled"))]),
  );
}

export function configuredModel(
  providerID: string,
  modelID: string,
  config: ModelConfig,
  provider: { npm?: string; api?: string },
  existing: Model | undefined,
): Model {
  const npm = provider.npm ?? existing?.api.npm ?? "@ai-sdk/openai-compatible";
  const configured = config as ModelConfig & { modalities?: { input?: string[]; output?: string[] } };
  const reasoning = config.reasoning ?? existing?.capabilities.reasoning ?? false;
  const interleaved = config.interleaved;
  return {
    id: modelID,
    providerID,
    api: { id: config.id ?? existing?.api.id ?? modelID, url: provider.api ?? existing?.api.url ?? "", npm },
    name: config.name ?? (config.id && config.id !== modelID ? modelID : (existing?.name ?? modelID)),
    family: config.family ?? existing?.family ?? "",
    capabilities: {
      temperature: config.temperature ?? existing?.capabilities.temperature ?? false,
      reasoning,
      attachment: config.attachment ?? existing?.capabilities.attachment ?? false,
      toolcall: config.tool_call ?? existing?.capabilities.toolcall ?? true,
      input: modalities(configured.modalities?.input, existing?.capabilities.input, true),
      output: modalities(configured.modalities?.output, existing?.capabilities.output, true),
      interleaved:
        interleaved === undefined
          ? (existing?.capabilities.interleaved ?? false)
          : typeof interleaved === "string"
            ? { field: interleaved }
            : interleaved,
    },
    cost: {
      input: config.cost?.input ?? existing?.cost.input ?? 0,
      output: config.cost?.output ?? existing?.cost.output ?? 0,
      cache: {
        read: config.cost?.cache_read ?? existing?.cost.cache.read ?? 0,
        write: config.cost?.cache_write ?? existing?.cost.cache.write ?? 0,
      },
    },
    limit: {
      context: config.limit?.context ?? existing?.limit.context ?? 0,
      output: config.limit?.output ?? existing?.limit.output ?? 0,
    },
    status: config.status ?? existing?.status ?? "active",
    options: mergeDeep(existing?.options ?? {}, (config.options ?? {}) as Record<string, unknown>),
    headers: mergeDeep(existing?.headers ?? {}, (config.headers ?? {}) as Record<string, unknown>) as Record<string, string>,
    release_date: config.release_date ?? existing?.release_date ?? "",
    variants: mergeVariants(existing?.variants ?? derivedVariants(npm, reasoning), config.variants as Variants | undefined),
  };
}
