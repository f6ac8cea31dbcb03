// The built-in tools, by OpenCode's names.
import { bashTool } from "./bash.js";
import { editTool } from "./edit.js";
import { invalidTool } from "./invalid.js";
import { questionTool } from "./question.js";
import { taskTool } from "./task.js";
import { webfetchTool } from "./webfetch.js";
import type { AgentDefinition } from "../agent/agents.js";
import { readTool } from "./read.js";
import type { Skill } from "../skill/skills.js";
import { skillTool } from "./skill.js";
import { globTool, grepTool, listTool } from "./search.js";
import { todoReadTool, todoWriteTool } from "./todo.js";
import type { ToolDefinition } from "./tool.js";
import { writeTool } from "./write.js";

export const BUILT_IN_TOOLS: ToolDefinition<never>[] = [
  bashTool,
  readTool,
  writeTool,
  editTool,
  listTool,
  globTool,
  grepTool,
  todoWriteTool,
  todoReadTool,
  questionTool,
  webfetchTool,
  invalidTool,
] as ToolDefinition<never>[];

/**
 * The tools offered to an agent's model: the built-in ones, `task` (when there are sub-agents)
 * and `skill` (when there are skills); `enabled` (a prompt's or agent's `tools` map) turns some off.
 */
export function toolsFor(
  enabled: Record<string, boolean> = {},
  subagents: AgentDefinition[] = [],
  skills: Skill[] = [],
): ToolDefinition<never>[] {
  const all = [
    ...BUILT_IN_TOOLS,
    ...(subagents.length ? [taskTool(subagents) as ToolDefinition<never>] : []),
    ...(skills.length ? [skillTool(skills) as ToolDefinition<never>] : []),
  ];
  return all.filter((tool) => tool.id === "invalid" || enabled[tool.id] !== false);
}
