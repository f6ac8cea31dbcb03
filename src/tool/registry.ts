// The built-in tools, by OpenCode's names.
import { bashTool } from "./bash.js";
import { editTool } from "./edit.js";
import { invalidTool } from "./invalid.js";
import { questionTool } from "./question.js";
import { readTool } from "./read.js";
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
  invalidTool,
] as ToolDefinition<never>[];

/** The tools offered to an agent's model; `enabled` (a prompt's or agent's `tools` map) turns some off. */
export function toolsFor(enabled: Record<string, boolean> = {}): ToolDefinition<never>[] {
  return BUILT_IN_TOOLS.filter((tool) => tool.id === "invalid" || enabled[tool.id] !== false);
}
