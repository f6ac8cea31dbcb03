// Which tools an agent is offered, decided as upstream decides it: from the permission rules a
// turn runs with. A tool is left out when the last rule naming its permission denies it for every
// pattern ("*"); edit and write both fall under the `edit` permission.
//
// Upstream's built-in agents carry a few rules the pool's agent definitions (agent/agents.ts) do
// not have yet; they are added here for choosing tools only: the question tool is for build and
// plan alone, explore may only look (bash, read, glob, grep, webfetch), plan may not start
// `general` but keeps edit and write for its plan files, and a sub-agent's session started by `task` gets neither todowrite nor task.
import type { Config, PermissionRuleset } from "../../generated/schemas.js";
import type { AgentDefinition } from "../agent/agents.js";
import { DEFAULT_RULES, evaluate, ruleMatches, rulesFromConfig } from "../permission/rules.js";

/** What upstream's built-in agents add to the defaults, as far as tools are concerned. */
function upstreamAgentRules(agent: Pick<AgentDefinition, "name" | "native">): PermissionRuleset {
  const deny = (permission: string, pattern = "*") => ({ permission, pattern, action: "deny" as const });
  const allow = (permission: string) => ({ permission, pattern: "*", action: "allow" as const });
  // Upstream denies question to every agent by default.
  const rules: PermissionRuleset = [deny("question")];
  if (!agent.native) return rules;
  if (agent.name === "build") rules.push(allow("question"));
  if (agent.name === "plan") rules.push(allow("question"), deny("task", "general"));
  if (agent.name === "explore") rules.push(deny("*"), ...["grep", "glob", "list", "bash", "webfetch", "websearch", "read"].map(allow));
  return rules;
}

/**
 * Upstream's plan agent may still write its plan files (.opencode/plans/*.md) after refusing
 * every other edit, so it keeps edit and write; the rule follows the agent's own.
 */
function upstreamAgentExceptions(agent: Pick<AgentDefinition, "name" | "native">): PermissionRuleset {
  return agent.native && agent.name === "plan" ? [{ permission: "edit", pattern: ".opencode/plans/*.md", action: "allow" }] : [];
}

/** Upstream's rules for a session a `task` call started (the pool already denies `task` there). */
const SUBTASK_RULES: PermissionRuleset = [
  { permission: "todowrite", pattern: "*", action: "deny" },
  { permission: "task", pattern: "*", action: "deny" },
];

export interface ToolRulesInput {
  agent: Pick<AgentDefinition, "name" | "native" | "permission">;
  config: Pick<Config, "permission">;
  /** The session's own rules (a task's child session carries some). */
  sessionRules?: PermissionRuleset;
  /** Whether the session was started by `task` (it has a parent session). */
  subtask?: boolean;
  /**
   * The agent's and the prompt's `tools` map, as upstream reads it: each key a tool name or a
   * wildcard (`"github_*": false`), `false` turning the tools off and `true` on, later keys winning.
   */
  enabled?: Record<string, boolean>;
}

/** A `tools` map as rules over the tools' permissions (edit and write share `edit`). */
function rulesFromToolMap(enabled: Record<string, boolean> | undefined): PermissionRuleset {
  return Object.entries(enabled ?? {}).map(([tool, on]) => ({
    permission: permissionOf(tool),
    pattern: "*",
    action: on ? ("allow" as const) : ("deny" as const),
  }));
}

/** The rules that decide what a turn is offered: agentRules' order, upstream's agent rules added. */
export function toolRules(input: ToolRulesInput): PermissionRuleset {
  return [
    ...DEFAULT_RULES,
    ...upstreamAgentRules(input.agent),
    ...input.agent.permission,
    ...upstreamAgentExceptions(input.agent),
    ...rulesFromConfig(input.config.permission),
    ...(input.sessionRules ?? []),
    ...(input.subtask ? SUBTASK_RULES : []),
    ...rulesFromToolMap(input.enabled),
  ];
}

/** The permission a tool's calls ask for. */
function permissionOf(tool: string): string {
  return tool === "edit" || tool === "write" || tool === "apply_patch" ? "edit" : tool;
}

/** Whether the rules turn a tool off altogether (upstream's "disabled"). */
export function isDisabled(tool: string, rules: PermissionRuleset): boolean {
  const permission = permissionOf(tool);
  // Only the rule's permission has to match: its pattern says how much it covers.
  const last = rules.findLast((rule) => ruleMatches({ ...rule, pattern: "*" }, permission, ""));
  return last !== undefined && last.pattern === "*" && last.action === "deny";
}

/** The sub-agents `task` may start under these rules. */
export function startableSubagents(subagents: AgentDefinition[], rules: PermissionRuleset): AgentDefinition[] {
  return subagents.filter((agent) => evaluate(rules, "task", agent.name) !== "deny");
}
