// The agent pool's definitions, as OpenCode defines agents: the built-in ones (build, plan,
// general, explore, and the hidden compaction, summary and title), the `agent` key of
// opencode.json, and markdown files with front matter in .opencode/agent/ (project) and
// $XDG_CONFIG_HOME/opencode/agent/ (global). Later sources override earlier ones by name.
// AgentPool manifests (./manifest/) add their agents and teams over the built-in ones; OpenCode's
// own definitions of the same name apply over a manifest's (OpenCode's config wins on a clash).
import path from "node:path";
import type { Agent, AgentConfig, Config, PermissionRule, PermissionRuleset } from "../../generated/schemas.js";
import { defaultRules, externalDirectories, rulesFromConfig } from "../permission/rules.js";
import { loadSkills } from "../skill/skills.js";
import { toolOutputDirectory } from "../tool/truncate.js";
import { dataDirectory } from "../xdg.js";
import { NO_WORKTREE } from "../git/worktree.js";
import { parseModelRef } from "./llm/models.js";
import { COMPACTION_SYSTEM_PROMPT, TITLE_SYSTEM_PROMPT } from "./llm/system-prompt.js";
import { definitionFolders, markdownFiles } from "./definition-folders.js";
import { manifestAgents } from "./manifest/manifest-agents.js";
import { checkTeams } from "./team/team-check.js";
import { ACP_PROVIDER, type AgentDefinition } from "./agent-definition.js";

export { parseAgentMarkdown } from "./agent-markdown.js";

export type { AgentDefinition, TeamDefinition } from "./agent-definition.js";
export { ACP_PROVIDER } from "./agent-definition.js";
export { definitionFolders, markdownFiles } from "./definition-folders.js";

/** The explore agent's instructions (our own wording). */
const EXPLORE_PROMPT = [
  "You search a codebase for the agent that called you and report what you found.",
  "Find files by name patterns with glob, search their contents with grep, and read the ones that matter;",
  "use bash only for commands that look (ls, git log, git show), never for ones that change anything.",
  "Search as thoroughly as the caller asked: a quick look, a medium search, or a very thorough one that",
  "tries several places and naming conventions. You cannot create, edit or delete files.",
  "Answer with absolute paths, the lines or symbols that matter, and a short summary of what they show.",
].join("\n");

/** The summary agent's instructions (our own wording): the short account a session keeps of a turn. */
const SUMMARY_PROMPT = [
  "Write a short account of what was done in this conversation, as a pull request description would:",
  "two or three sentences in the first person about the changes made and why, no lists, no headings,",
  "no code. Mention questions left open, if any. Answer with the account only.",
].join("\n");

/** The folders upstream's agents allow outside the project: cut tool outputs and the skills' folders. */
async function whitelistedFolders(directory: string, worktree: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const skills = await loadSkills(directory, worktree, env);
  const skillFolders = [...new Set(skills.map((skill) => path.dirname(skill.location)))];
  return [path.join(toolOutputDirectory(env), "*"), ...skillFolders.map((folder) => path.join(folder, "*"))];
}

interface RuleContext {
  config: Config;
  directory: string;
  worktree: string;
  env: NodeJS.ProcessEnv;
  whitelisted: string[];
}

/** What upstream's built-in agents add to the defaults (before the user's `permission`). */
function builtInRules(name: string, ctx: RuleContext): PermissionRuleset {
  const plans = path.join(dataDirectory(ctx.env), "plans");
  const root = ctx.worktree === NO_WORKTREE ? ctx.directory : ctx.worktree;
  switch (name) {
    case "build":
      return rulesFromConfig({ question: "allow", plan_enter: "allow" });
    case "plan":
      // Plan mode looks and plans: it may not start `general`, and every edit is refused but the
      // plan files' (in the project's .opencode/plans/ or the data folder's plans/, named relative
      // to the project as edits are).
      return rulesFromConfig({
        question: "allow",
        plan_exit: "allow",
        task: { general: "deny" },
        external_directory: { [path.join(plans, "*")]: "allow" },
        edit: { "*": "deny", [path.join(".opencode", "plans", "*.md")]: "allow", [path.relative(root, path.join(plans, "*.md"))]: "allow" },
      });
    case "general":
      return rulesFromConfig({ todowrite: "deny" });
    case "explore":
      return rulesFromConfig({
        "*": "deny",
        ...Object.fromEntries(["grep", "glob", "list", "bash", "webfetch", "websearch", "read"].map((tool) => [tool, "allow" as const])),
        external_directory: externalDirectories(ctx.whitelisted),
      });
    case "compaction":
    case "title":
    case "summary":
      return rulesFromConfig({ "*": "deny" });
    default:
      return [];
  }
}

/**
 * An agent's effective permission rules, assembled in upstream's order: the defaults, a built-in
 * agent's own rules, the config's `permission`, the agent's configured rules (its config entry,
 * markdown file or manifest), and last the folder of cut tool outputs allowed (unless a rule
 * denies exactly that folder). The one place the rules of an agent are made: GET /agent lists
 * them and every permission check of the agent's turns evaluates them (then the session's).
 */
export function agentRuleset(agent: Pick<AgentDefinition, "name" | "native" | "permission">, ctx: RuleContext): PermissionRuleset {
  const rules = [
    ...defaultRules(ctx.whitelisted),
    ...(agent.native ? builtInRules(agent.name, ctx) : []),
    ...rulesFromConfig(ctx.config.permission),
    ...agent.permission,
  ];
  const toolOutput = path.join(toolOutputDirectory(ctx.env), "*");
  const denied = rules.some((r: PermissionRule) => r.permission === "external_directory" && r.action === "deny" && r.pattern === toolOutput);
  return denied ? rules : [...rules, { permission: "external_directory", pattern: toolOutput, action: "allow" }];
}

/** The built-in agents; `permission` holds what configuration adds (none yet), see agentRuleset. */
const BUILT_IN: AgentDefinition[] = [
  {
    name: "build",
    description: "The default agent. Executes tools based on configured permissions.",
    mode: "primary",
    native: true,
    permission: [],
    options: {},
  },
  { name: "plan", description: "Plan mode. Disallows all edit tools.", mode: "primary", native: true, permission: [], options: {} },
  {
    name: "general",
    description:
      "General-purpose agent for researching complex questions and executing multi-step tasks. Use this agent to execute multiple units of work in parallel.",
    mode: "subagent",
    native: true,
    permission: [],
    options: {},
  },
  {
    name: "explore",
    description:
      "Fast agent specialized for exploring codebases: finds files by patterns, searches code for keywords and answers questions about the codebase. Say how thorough it should be: quick, medium or very thorough.",
    mode: "subagent",
    native: true,
    permission: [],
    prompt: EXPLORE_PROMPT,
    options: {},
  },
  { name: "compaction", mode: "primary", native: true, hidden: true, permission: [], prompt: COMPACTION_SYSTEM_PROMPT, options: {} },
  { name: "summary", mode: "primary", native: true, hidden: true, permission: [], prompt: SUMMARY_PROMPT, options: {} },
  { name: "title", mode: "primary", native: true, hidden: true, temperature: 0.5, permission: [], prompt: TITLE_SYSTEM_PROMPT, options: {} },
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
  const ctx: RuleContext = { config, directory, worktree, env, whitelisted: await whitelistedFolders(directory, worktree, env) };
  return checkTeams([...byName.values()].filter((a) => !a.disable).map((agent) => ({ ...agent, permission: agentRuleset(agent, ctx) })));
}

interface InFlight {
  config: Config;
  env: NodeJS.ProcessEnv;
  agents: Promise<AgentDefinition[]>;
}

const inFlight = new Map<string, InFlight>();

/**
 * loadAgents for GET /agent: requests for one directory that arrive while its agents are being
 * read (the definition folders, manifests and skills: about 20 file system calls) share that read
 * instead of starting one each; a request after it has settled reads again, so a changed file is
 * seen by the next request as before. Under 16 concurrent clients this is most of /agent's work.
 */
export function loadAgentsShared(config: Config, directory: string, worktree: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentDefinition[]> {
  const key = `${directory}\0${worktree}`;
  const running = inFlight.get(key);
  if (running && running.config === config && running.env === env) return running.agents;
  const agents = loadAgents(config, directory, worktree, env);
  const entry = { config, env, agents };
  inFlight.set(key, entry);
  const settle = () => {
    if (inFlight.get(key) === entry) inFlight.delete(key);
  };
  agents.then(settle, settle);
  return agents;
}

/** The agents in the order GET /agent lists them, as upstream's: the default agent first, then by name. */
export function listingOrder(agents: AgentDefinition[], config: Config): AgentDefinition[] {
  const first = config.default_agent ?? "build";
  const byName = (a: AgentDefinition, b: AgentDefinition) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return [...agents].sort((a, b) => Number(b.name === first) - Number(a.name === first) || byName(a, b));
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
  return agent;
}
