// AgentPool manifest entries as the pool's agents: `native` agents run on the LLM backend
// (AgentPool's `provider:model` becomes OpenCode's `provider/model`), `acp` agents on the ACP
// backend, `file_agents` are markdown agents (OpenCode, Claude Code or AgentPool front matter),
// and `teams` are agents that run their members as child sessions. Manifests merge by name, later
// files over earlier ones; keys that do nothing here are reported once as a warning.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { AgentConfig } from "../../../generated/schemas.js";
import { parseAgentMarkdown } from "../agent-markdown.js";
import { ACP_PROVIDER, type AgentDefinition } from "../agent-definition.js";
import { reportManifestProblem } from "./manifest-log.js";
import { readManifests, type Entry } from "./manifest-files.js";
import { acpCommand, mapTools } from "./manifest-tools.js";

/** An agent a manifest defines: ready, or an OpenCode-style markdown agent for the caller to apply. */
export type ManifestAgent =
  | { name: string; source: string; definition: AgentDefinition }
  | { name: string; source: string; config: AgentConfig; prompt: string };

const COMMON_KEYS = ["type", "name", "description", "display_name", "config_file_path"];
const NATIVE_KEYS = new Set([...COMMON_KEYS, "model", "system_prompt", "tools", "toolsets", "inherits"]);
const ACP_KEYS = new Set([...COMMON_KEYS, "provider", "command", "args", "env", "cwd", "model"]);
const TEAM_KEYS = new Set([...COMMON_KEYS, "mode", "members", "shared_prompt"]);

/** AgentPool's `provider:model` (or OpenCode's `provider/model`, or `{type: string, identifier}`). */
export function modelOf(model: unknown): { providerID: string; modelID: string } | undefined {
  const text = typeof model === "string" ? model : (model as { identifier?: unknown } | null)?.identifier;
  if (typeof text !== "string") return undefined;
  const at = /[:/]/.exec(text)?.index ?? -1;
  if (at <= 0 || at === text.length - 1) return undefined;
  return { providerID: text.slice(0, at), modelID: text.slice(at + 1) };
}

/** `system_prompt`: a string, or a list of strings and `{type: static, content}` prompts. */
function promptOf(value: unknown, unsupported: string[]): string | undefined {
  const items = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
  const texts: string[] = [];
  for (const item of items) {
    if (typeof item === "string") texts.push(item);
    else if (item && typeof item === "object" && (item as { type?: unknown }).type === "static")
      texts.push(String((item as { content: unknown }).content));
    else unsupported.push(`system_prompt: ${String((item as { type?: unknown } | null)?.type)} prompts`);
  }
  return texts.length ? texts.join("\n\n") : undefined;
}

function base(name: string, entry: Entry, source: string): AgentDefinition {
  const agent: AgentDefinition = { name, mode: "all", native: false, permission: [], options: {}, source };
  const description = entry.description ?? entry.display_name;
  if (typeof description === "string") agent.description = description;
  return agent;
}

function ignoredKeys(entry: Entry, known: Set<string>, where: string, unsupported: string[]): void {
  for (const key of Object.keys(entry)) if (!known.has(key)) unsupported.push(`${where}.${key}`);
}

export function nativeAgent(name: string, entry: Entry, source: string, unsupported: string[], prompt?: string): AgentDefinition {
  const agent = base(name, entry, source);
  ignoredKeys(entry, NATIVE_KEYS, `agents.${name}`, unsupported);
  const model = modelOf(entry.model);
  if (model) agent.model = model;
  else if (entry.model !== undefined && entry.model !== null) unsupported.push(`agents.${name}.model (not a provider:model name)`);
  const text = prompt ?? promptOf(entry.system_prompt, unsupported);
  if (text) agent.prompt = text;
  const tools = mapTools(entry);
  if (tools.tools) agent.tools = tools.tools;
  unsupported.push(...tools.unsupported.map((what) => `agents.${name}.${what}`));
  return agent;
}

function acpAgent(name: string, entry: Entry, source: string, unsupported: string[]): AgentDefinition | undefined {
  const agent = base(name, entry, source);
  ignoredKeys(entry, ACP_KEYS, `agents.${name}`, unsupported);
  const command = acpCommand(entry);
  if (!command) return undefined;
  const env = entry.env && typeof entry.env === "object" ? (entry.env as Record<string, string>) : undefined;
  const cwd = typeof entry.cwd === "string" ? path.resolve(path.dirname(source), entry.cwd) : undefined;
  agent.external = { command: command.command, ...(env ? { env } : {}), ...(cwd ? { cwd } : {}), ...(command.install ? { install: command.install } : {}) };
  // As an ACP agent configured in opencode.json: its own model, a main agent.
  agent.model = { providerID: ACP_PROVIDER, modelID: name };
  agent.mode = "primary";
  return agent;
}

function team(name: string, entry: Entry, source: string, unsupported: string[]): AgentDefinition {
  const agent = base(name, entry, source);
  ignoredKeys(entry, TEAM_KEYS, `teams.${name}`, unsupported);
  const members = (entry.members as string[]).map(String);
  agent.description ??= `Team (${String(entry.mode)}): ${members.join(", ")}`;
  agent.mode = "primary";
  agent.team = {
    mode: entry.mode === "sequential" ? "sequential" : "parallel",
    members,
    ...(typeof entry.shared_prompt === "string" ? { sharedPrompt: entry.shared_prompt } : {}),
  };
  return agent;
}

/** `inherits`: the named agent's settings under the entry's own (a chain, cut at a loop). */
function inherited(name: string, agents: Map<string, { entry: Entry }>, seen = new Set<string>()): Entry {
  const entry = agents.get(name)!.entry;
  const parent = typeof entry.inherits === "string" ? entry.inherits : undefined;
  if (!parent || seen.has(parent) || !agents.has(parent)) return entry;
  seen.add(name);
  const { inherits: _inherits, ...own } = entry;
  return { ...inherited(parent, agents, seen), ...own };
}

const CLAUDE_TOOLS: Record<string, string> = {
  Read: "read", Write: "write", Edit: "edit", MultiEdit: "edit", Bash: "bash", Grep: "grep", Glob: "glob",
  LS: "list", WebFetch: "webfetch", TodoWrite: "todowrite", Task: "task",
};

/** A file agent: its markdown in the format its `type` names, or the one its front matter looks like. */
async function fileAgent(name: string, value: string | Entry, source: string, unsupported: string[]): Promise<ManifestAgent | undefined> {
  const file = path.resolve(path.dirname(source), typeof value === "string" ? value : String(value.path));
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    reportManifestProblem("error", source, `Invalid AgentPool manifest ${source}: file_agents.${name}: cannot read ${file}`);
    return undefined;
  }
  const { config, prompt } = parseAgentMarkdown(text);
  const front = config as Record<string, unknown>;
  const type =
    typeof value === "object" && typeof value.type === "string"
      ? value.type
      : "system_prompt" in front || "toolsets" in front || front.type === "native"
        ? "native"
        : typeof front.tools === "string" || "permissionMode" in front
          ? "claude"
          : "opencode";
  if (type === "native") return { name, source, definition: nativeAgent(name, front, source, unsupported, prompt || undefined) };
  if (type === "claude") {
    const allowed = String(front.tools ?? "").split(",").map((tool) => CLAUDE_TOOLS[tool.trim()]).filter(Boolean);
    const tools = front.tools === undefined ? undefined : Object.fromEntries([...new Set(Object.values(CLAUDE_TOOLS))].map((t) => [t, allowed.includes(t)]));
    const model = typeof front.model === "string" && /[/:]/.test(front.model) ? modelOf(front.model) : undefined;
    const claude: AgentConfig = {
      ...(typeof front.description === "string" ? { description: front.description } : {}),
      ...(tools ? { tools } : {}),
      ...(model ? { model: `${model.providerID}/${model.modelID}` } : {}),
    };
    return { name, source, config: claude, prompt };
  }
  return { name, source, config, prompt };
}

/**
 * The agents and teams of every manifest that applies to a directory, later manifests winning by
 * name. Teams are checked against the whole pool by the caller (src/agent/team/team-check.ts).
 */
export async function manifestAgents(directory: string, worktree: string, env: NodeJS.ProcessEnv = process.env): Promise<ManifestAgent[]> {
  const agents = new Map<string, { entry: Entry; source: string }>();
  const teams = new Map<string, { entry: Entry; source: string }>();
  const files = new Map<string, { value: string | Entry; source: string }>();
  const unsupportedBySource = new Map<string, string[]>();
  const unsupportedOf = (source: string) => unsupportedBySource.get(source) ?? unsupportedBySource.set(source, []).get(source)!;
  for (const manifest of await readManifests(directory, worktree, env)) {
    unsupportedOf(manifest.file).push(...manifest.ignored);
    for (const [name, entry] of manifest.agents) agents.set(name, { entry, source: manifest.file });
    for (const [name, value] of manifest.fileAgents) files.set(name, { value, source: manifest.file });
    for (const [name, entry] of manifest.teams) teams.set(name, { entry, source: manifest.file });
  }
  const out: ManifestAgent[] = [];
  for (const [name, { source }] of agents) {
    const entry = inherited(name, agents);
    const type = entry.type ?? "native";
    if (type === "native") out.push({ name, source, definition: nativeAgent(name, entry, source, unsupportedOf(source)) });
    else if (type === "acp") {
      const agent = acpAgent(name, entry, source, unsupportedOf(source));
      if (agent) out.push({ name, source, definition: agent });
    } else reportManifestProblem("warn", source, `AgentPool manifest ${source}: agents.${name}: agent type ${String(type)} is not supported here; left out`);
  }
  for (const [name, { value, source }] of files) {
    const agent = await fileAgent(name, value, source, unsupportedOf(source));
    if (agent) out.push(agent);
  }
  for (const [name, { entry, source }] of teams) out.push({ name, source, definition: team(name, entry, source, unsupportedOf(source)) });
  for (const [source, unsupported] of unsupportedBySource)
    if (unsupported.length)
      reportManifestProblem("warn", source, `AgentPool manifest ${source}: ignored (not supported here): ${[...new Set(unsupported)].join(", ")}`);
  return out;
}
