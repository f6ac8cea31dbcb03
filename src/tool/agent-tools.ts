// Which tools an agent is offered, decided as upstream decides it: from the permission rules a
// turn runs with, the agent's effective ruleset (agentRuleset in agent/agents.ts, the same rules
// every permission check of the turn evaluates) and the session's. A tool is left out when the
// last rule naming its permission denies it for every pattern ("*"); edit and write both fall
// under the `edit` permission (so plan keeps them: it may write its plan files). A sub-agent's
// session started by `task` gets neither todowrite nor task.
import type { Config, PermissionRuleset } from "../../generated/schemas.js";
import type { AgentDefinition } from "../agent/agents.js";
import { evaluate, ruleMatches } from "../permission/rules.js";

/** Upstream's rules for a session a `task` call started (the pool already denies `task` there). */
const SUBTASK_RULES: PermissionRuleset = [
  { permission: "todowrite", pattern: "*", action: "deny" },
  { permission: "task", pattern: "*", action: "deny" },
];

export interface ToolRulesInput {
  /** The agent as loadAgents made it: its `permission` is its effective ruleset. */
  agent: Pick<AgentDefinition, "name" | "native" | "permission">;
  /** Already part of the agent's ruleset; kept for callers that pass it. */
  config?: Pick<Config, "permission">;
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

/** The rules that decide what a turn is offered: the agent's, the session's, a sub-agent session's. */
export function toolRules(input: ToolRulesInput): PermissionRuleset {
  return [
    ...input.agent.permission,
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
