// The agent pool's definitions, as OpenCode defines agents: the built-in ones (build, plan,
// general, explore, and the hidden compaction, summary and title), the `agent` key of
// opencode.json, and markdown files with front matter in .opencode/agent/ (project) and
// $XDG_CONFIG_HOME/opencode/agent/ (global). Later sources override earlier ones by name.
// AgentPool manifests (./manifest/) add their agents and teams over the built-in ones; OpenCode's
// own definitions of the same name apply over a manifest's (OpenCode's config wins on a clash).
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Agent, AgentConfig, Config, PermissionRuleset } from "../../generated/schemas.js";
import { DEFAULT_RULES, PLAN_RULES, rulesFromConfig } from "../permission/rules.js";
import { openCodeConfigDirectory } from "../xdg.js";
import { NO_WORKTREE } from "../workspace/worktree.js";
import { parseModelRef } from "./llm/models.js";
import { parseAgentMarkdown } from "./agent-markdown.js";
import { manifestAgents } from "./manifest/manifest-agents.js";
import { checkTeams } from "./team/team-check.js";
import { ACP_PROVIDER, type AgentDefinition } from "./agent-definition.js";

export { parseAgentMarkdown } from "./agent-markdown.js";

export type { AgentDefinition, TeamDefinition } from "./agent-definition.js";
export { ACP_PROVIDER } from "./agent-definition.js";

const BUILT_IN: AgentDefinition[] = [
  {
    name: "build",
    description: "The default agent. Executes tools based on configured permissions.",
    mode: "primary",
    native: true,
    permission: [],
    options: {},
  },
  { name: "plan", description: "Plan mode. Disallows all edit tools.", mode: "primary", native: true, permission: PLAN_RULES, options: {} },
  {
    name: "general",
    description:
      "General-purpose agent for researching complex questions and executing multi-step tasks. Use this agent to execute multiple units of work in parallel.",
    mode: "subagent",
    native: true,
    permission: [{ permission: "todowrite", pattern: "*", action: "deny" }],
    options: {},
  },
  {
    name: "explore",
    description:
      "Fast agent specialized for exploring codebases: finds files by patterns, searches code for keywords and answers questions about the codebase. Say how thorough it should be: quick, medium or very thorough.",
    mode: "subagent",
    native: true,
    permission: [
      { permission: "edit", pattern: "*", action: "deny" },
      { permission: "todowrite", pattern: "*", action: "deny" },
    ],
    options: {},
  },
  { name: "compaction", mode: "primary", native: true, hidden: true, permission: [], options: {} },
  { name: "summary", mode: "primary", native: true, hidden: true, permission: [], options: {} },
  { name: "title", mode: "primary", native: true, hidden: true, temperature: 0.5, permission: [], options: {} },
];

/** One agent's configuration (a config entry or a markdown file) applied over what came before. */
function applyConfig(name: string, base: AgentDefinition | undefined, entry: AgentConfig, prompt?: string): AgentDefinition {
  const model = typeof entry.model === "string" ? parseModelRef(entry.model) : undefined;
  const agent: AgentDefinition = {
    name,
    mode: entry.mode ?? base?.mode ?? "all",
    native: base?.native ?? false,
    permission: [...(base?.permission ?? []), ...rulesFromConfig(entry.permission)],
    options: { ...(base?.options ?? {}), ...((entry.options as Record<string, unknown> | undefined) ?? {}) },
  };
  const description = entry.description ?? base?.description;
  if (description) agent.description = description;
  const hidden = entry.hidden ?? base?.hidden;
  if (hidden !== undefined) agent.hidden = hidden;
  const temperature = entry.temperature ?? base?.temperature;
  if (temperature !== undefined) agent.temperature = temperature;
  const topP = entry.top_p ?? base?.topP;
  if (topP !== undefined) agent.topP = topP;
  if (typeof entry.color === "string") agent.color = entry.color;
  const chosenModel = model ? { providerID: model.providerID, modelID: model.modelID } : base?.model;
  if (chosenModel) agent.model = chosenModel;
  const variant = entry.variant ?? base?.variant;
  if (variant) agent.variant = variant;
  const text = prompt ?? entry.prompt ?? base?.prompt;
  if (text) agent.prompt = text;
  const steps = entry.steps ?? entry.maxSteps ?? base?.steps;
  if (steps !== undefined) agent.steps = steps;
  const tools = { ...(base?.tools ?? {}), ...(entry.tools ?? {}) };
  if (Object.keys(tools).length) agent.tools = tools;
  if (entry.disable ?? base?.disable) agent.disable = true;
  if (base?.team) agent.team = base.team;
  if (base?.source) agent.source = base.source;
  const external = externalOf(entry) ?? base?.external;
  if (external) {
    agent.external = external;
    // The agent runs its own model: its messages name it, and `mode` defaults to a main agent.
    agent.model = { providerID: ACP_PROVIDER, modelID: name };
    if (!entry.mode && !base) agent.mode = "primary";
  }
  return agent;
}

/** `command` (an argv list, or one string split on spaces) and `env` of an external (ACP) agent. */
function externalOf(entry: AgentConfig): AgentDefinition["external"] {
  const { command, env } = entry as { command?: unknown; env?: unknown };
  const argv = typeof command === "string" ? command.split(/\s+/).filter(Boolean) : command;
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((part) => typeof part === "string")) return undefined;
  const environment = env && typeof env === "object" ? (env as Record<string, string>) : undefined;
  return { command: argv, ...(environment ? { env: environment } : {}) };
}

export async function markdownFiles(dir: string): Promise<{ name: string; config: AgentConfig; prompt: string }[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".md")).sort();
  } catch {
    return [];
  }
  return Promise.all(
    names.map(async (file) => ({ name: file.slice(0, -3), ...parseAgentMarkdown(await readFile(path.join(dir, file), "utf8")) })),
  );
}

/**
 * The folders of one kind of definition (`agent`, `command`): the global one, then the
 * project's .opencode/<kind> from the worktree root down to the directory (closer ones win).
 */
export function definitionFolders(kind: string, directory: string, worktree: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const root = worktree === NO_WORKTREE ? directory : worktree;
  const project: string[] = [];
  for (let dir = directory; ; dir = path.dirname(dir)) {
    project.unshift(path.join(dir, ".opencode", kind), path.join(dir, ".opencode", `${kind}s`));
    if (dir === root || dir === path.dirname(dir)) break;
  }
  const global = path.join(openCodeConfigDirectory(env), kind);
  return [global, `${global}s`, ...project];
}

export async function loadAgents(
  config: Config,
  directory: string,
  worktree: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AgentDefinition[]> {
  const byName = new Map(BUILT_IN.map((a) => [a.name, a]));
  for (const item of await manifestAgents(directory, worktree, env))
    byName.set(item.name, "definition" in item ? item.definition : applyConfig(item.name, undefined, item.config, item.prompt));
  for (const folder of definitionFolders("agent", directory, worktree, env)) {
    for (const file of await markdownFiles(folder))
      byName.set(file.name, applyConfig(file.name, byName.get(file.name), file.config, file.prompt));
  }
  for (const [name, entry] of Object.entries(config.agent ?? {})) {
    if (entry) byName.set(name, applyConfig(name, byName.get(name), entry as AgentConfig));
  }
  return checkTeams([...byName.values()].filter((a) => !a.disable));
}

/** The permission rules an agent runs with: the defaults, the agent's, then the config's. */
export function agentRules(agent: AgentDefinition, config: Config): PermissionRuleset {
  return [...DEFAULT_RULES, ...agent.permission, ...rulesFromConfig(config.permission)];
}

/** An agent as GET /agent lists it (the pool's own fields left out). */
export function toAgentInfo({
  tools: _tools,
  disable: _disable,
  external: _external,
  team: _team,
  source: _source,
  ...agent
}: AgentDefinition): Agent {
  return { ...agent, permission: [...DEFAULT_RULES, ...agent.permission] };
}
