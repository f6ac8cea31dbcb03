// The built-in tools, by OpenCode's names, and the set a turn offers its model: upstream's tools
// for the agent (see agent-tools.ts), each answer held to the common output limit (truncate.ts).
import type { Skill } from "../skill/skills.js";
import type { AgentDefinition } from "../agent/agents.js";
import { isDisabled, startableSubagents, toolRules, type ToolRulesInput } from "./agent-tools.js";
import { bashTool } from "./bash.js";
import { editTool } from "./edit.js";
import { invalidTool } from "./invalid.js";
import { questionTool } from "./question.js";
import { readTool } from "./read.js";
import { globTool, grepTool } from "./search.js";
import { skillTool } from "./skill.js";
import { taskTool } from "./task.js";
import { todoWriteTool } from "./todo.js";
import type { ToolDefinition } from "./tool.js";
import { withOutputLimit } from "./truncate.js";
import { webfetchTool } from "./webfetch.js";
import { writeTool } from "./write.js";

/** Every tool id, in upstream's registry order (upstream's websearch and apply_patch are not built). */
export const TOOL_IDS = ["invalid", "question", "bash", "read", "glob", "grep", "edit", "write", "task", "webfetch", "todowrite", "skill"];

export interface ToolsForInput extends ToolRulesInput {
  /** A prompt's or agent's `tools` map: `false` turns a tool off. */
  enabled?: Record<string, boolean>;
  subagents?: AgentDefinition[];
  skills?: Skill[];
  /** Other tools of the turn (MCP servers', custom ones), held to the same rules and limit. */
  extra?: ToolDefinition<never>[];
}

/**
 * The tools of a turn: the ones the agent may use, `extra` and `invalid` (never offered to the
 * model, it only takes calls of unknown tools; see llm-turn).
 */
export function toolsFor(input: ToolsForInput): ToolDefinition<never>[] {
  const rules = toolRules(input);
  const subagents = startableSubagents(input.subagents ?? [], rules);
  const builtIn = [
    questionTool,
    bashTool,
    readTool,
    globTool,
    grepTool,
    editTool,
    writeTool,
    ...(subagents.length ? [taskTool(subagents)] : []),
    webfetchTool,
    todoWriteTool,
    skillTool(input.skills ?? []),
  ] as unknown as ToolDefinition<never>[];
  // A later tool of the same name takes the place of an earlier one (a custom tool, a built-in), as upstream's.
  const byID = new Map([...builtIn, ...(input.extra ?? [])].map((tool) => [tool.id, tool]));
  const offered = [...byID.values()].filter((tool) => input.enabled?.[tool.id] !== false && !isDisabled(tool.id, rules));
  // An agent that can start sub-agents is told to hand a cut output to one.
  const delegate = offered.some((tool) => tool.id === "task");
  // Sorted by name: upstream's model requests list the tools so (and so does the SDK's message
  // for a call of an unknown tool, which names them all).
  return [invalidTool as unknown as ToolDefinition<never>, ...offered]
    .map((tool) => withOutputLimit(tool, delegate))
    .sort((a, b) => a.id.localeCompare(b.id));
}
