// Agents, models, providers, integrations, commands and references in the shapes of the v2 API
// (/api/*), built from the same definitions the v1 routes answer with.
import path from "node:path";
import type {
  AgentV2Info,
  Command,
  CommandV2Info,
  Config,
  IntegrationInfo,
  Model,
  ModelV2Info,
  Provider,
  ProviderV2Info,
  ReferenceInfo,
} from "../../generated/schemas.js";
import { toAgentInfo, type AgentDefinition } from "../agent/agents.js";
import { parseModelRef } from "../agent/llm/models.js";
import type { ModelsV2Form } from "../provider/catalogue.js";
import { packageOptions } from "../provider/sdk-packages.js";

export function toAgentV2(agent: AgentDefinition): AgentV2Info {
  const info = toAgentInfo(agent);
  return {
    id: agent.name,
    ...(agent.model ? { model: { id: agent.model.modelID, providerID: agent.model.providerID } } : {}),
    request: { headers: {}, body: {} },
    ...(agent.prompt ? { system: agent.prompt } : {}),
    ...(agent.description ? { description: agent.description } : {}),
    mode: agent.mode,
    hidden: agent.hidden ?? false,
    ...(agent.color ? { color: agent.color as AgentV2Info["color"] } : {}),
    ...(agent.steps !== undefined ? { steps: agent.steps } : {}),
    permissions: info.permission.map((rule) => ({ action: rule.permission, resource: rule.pattern, effect: rule.action })),
  };
}

function modalities(flags: Model["capabilities"]["input"]): string[] {
  return Object.entries(flags)
    .filter(([, on]) => on)
    .map(([name]) => name);
}

/** What every request to a provider carries: its headers, and its options the package reads (not transport ones). */
function providerRequest(provider: Provider): { headers: Record<string, string>; body: Record<string, unknown> } {
  const { baseURL: _url, headers, ...body } = packageOptions(provider.options as Record<string, unknown>);
  return { headers: (headers as Record<string, string> | undefined) ?? {}, body };
}

/**
 * A model's prices in the v2 shape: the base price, then each context tier the catalogue names,
 * then the older "over 200K tokens" price as a tier of that size (as upstream lists them).
 */
function costTiers(cost: Model["cost"]): ModelV2Info["cost"] {
  const price = (p: { input: number; output: number; cache: { read: number; write: number } }) => ({
    input: p.input,
    output: p.output,
    cache: { read: p.cache.read, write: p.cache.write },
  });
  return [
    price(cost),
    ...(cost.tiers ?? []).map((t) => ({ tier: { type: t.tier.type, size: t.tier.size }, ...price(t) })),
    ...(cost.experimentalOver200K ? [{ tier: { type: "context" as const, size: 200_000 }, ...price(cost.experimentalOver200K) }] : []),
  ];
}

/** A model in the v2 shape; its variants are not listed there (upstream lists none either). */
export function toModelV2(model: Model, provider: Provider): ModelV2Info {
  const request = providerRequest(provider);
  const released = Date.parse(model.release_date);
  return {
    id: model.id,
    providerID: model.providerID,
    ...(model.family ? { family: model.family } : {}),
    name: model.name,
    api: { id: model.api.id, type: "aisdk", package: model.api.npm, ...(model.api.url ? { url: model.api.url } : {}) },
    capabilities: {
      tools: model.capabilities.toolcall,
      input: modalities(model.capabilities.input),
      output: modalities(model.capabilities.output),
    },
    request: { headers: { ...request.headers, ...model.headers }, body: { ...request.body, ...model.options } },
    variants: [],
    time: { released: Number.isNaN(released) ? 0 : released },
    cost: costTiers(model.cost),
    status: model.status,
    enabled: true,
    limit: {
      context: model.limit.context,
      ...(model.limit.input !== undefined ? { input: model.limit.input } : {}),
      output: model.limit.output,
    },
  };
}

/** `{env:NAME}` in recorded values with the variable's value; a value naming an unset one is left out. */
function withEnv(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === "string") {
    const whole = /^\{env:([A-Za-z0-9_]+)\}$/.exec(value);
    if (whole) return env[whole[1]!] || undefined;
    return value.replace(/\{env:([A-Za-z0-9_]+)\}/g, (_, name: string) => env[name] ?? "");
  }
  if (Array.isArray(value)) return value.map((v) => withEnv(v, env));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const filled = withEnv(v, env);
      if (filled !== undefined) out[k] = filled;
    }
    return out;
  }
  return value;
}

/**
 * A connected provider's models as upstream's v2 list has them: each built from its v1 entry,
 * then what upstream recorded beyond v1 for a provider connected that way (`recorded`, from
 * spec/catalogue/models-v2.jsonl): fields it answers differently, and the models only v2 lists.
 */
export function providerModelsV2(provider: Provider, recorded: ModelsV2Form | undefined, env: NodeJS.ProcessEnv): ModelV2Info[] {
  const models = Object.values(provider.models).map((model) => {
    const patch = recorded?.changed[model.id];
    return patch ? { ...toModelV2(model, provider), ...(withEnv(patch, env) as Partial<ModelV2Info>) } : toModelV2(model, provider);
  });
  for (const { model, before } of recorded?.added ?? []) {
    if (provider.models[model.id]) continue;
    const at = before ? models.findIndex((m) => m.id === before) : -1;
    models.splice(at < 0 ? models.length : at, 0, withEnv(model, env) as ModelV2Info);
  }
  if (recorded?.order) {
    const rank = new Map(recorded.order.map((id, i) => [id, i]));
    models.sort((a, b) => (rank.get(a.id) ?? rank.size) - (rank.get(b.id) ?? rank.size));
  }
  return models;
}

export function toProviderV2(provider: Provider): ProviderV2Info {
  const first = Object.values(provider.models)[0];
  const url = (provider.options.baseURL as string | undefined) || first?.api.url;
  return {
    id: provider.id,
    name: provider.name,
    api: { type: "aisdk", package: first?.api.npm ?? "@ai-sdk/openai-compatible", ...(url ? { url } : {}) },
    request: providerRequest(provider),
  };
}

/** A provider as an integration: how a key can be given, and the credentials and variables that connect it. */
export function toIntegration(
  provider: { id: string; name: string; env: string[] },
  stored: { id: string; label: string } | undefined,
  env: NodeJS.ProcessEnv,
): IntegrationInfo {
  return {
    id: provider.id,
    name: provider.name,
    methods: [{ type: "key" }, ...(provider.env.length ? [{ type: "env" as const, names: provider.env }] : [])],
    connections: [
      ...(stored ? [{ type: "credential" as const, id: stored.id, label: stored.label }] : []),
      ...provider.env.filter((name) => env[name]).map((name) => ({ type: "env" as const, name })),
    ],
  };
}

export function toCommandV2(command: Command): CommandV2Info {
  const model = command.model ? parseModelRef(command.model) : undefined;
  return {
    name: command.name,
    template: typeof command.template === "string" ? command.template : "",
    ...(command.description ? { description: command.description } : {}),
    ...(command.agent ? { agent: command.agent } : {}),
    ...(model ? { model: { id: model.modelID, providerID: model.providerID } } : {}),
    ...(command.subtask !== undefined ? { subtask: command.subtask } : {}),
  };
}

/** The `reference`/`references` config keys: local folders, or git repositories (with where a checkout would live). */
export function referencesOf(config: Config, directory: string, checkouts: string): ReferenceInfo[] {
  const entries = { ...(config.references ?? {}), ...(config.reference ?? {}) } as Record<string, unknown>;
  return Object.entries(entries).map(([name, value]): ReferenceInfo => {
    const entry = (typeof value === "string" ? (/^(https?:|git@|ssh:)/.test(value) ? { repository: value } : { path: value }) : value) as {
      path?: string;
      repository?: string;
      branch?: string;
      description?: string;
      hidden?: boolean;
    };
    const extra = { ...(entry.description ? { description: entry.description } : {}), ...(entry.hidden ? { hidden: entry.hidden } : {}) };
    if (entry.repository)
      return {
        name,
        path: path.join(checkouts, name),
        ...extra,
        source: { type: "git", repository: entry.repository, ...(entry.branch ? { branch: entry.branch } : {}), ...extra },
      };
    const local = path.resolve(directory, entry.path ?? name);
    return { name, path: local, ...extra, source: { type: "local", path: local, ...extra } };
  });
}
