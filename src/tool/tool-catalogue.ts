// The tools as the experimental /tool routes describe them: every tool id this server has, and
// for a model, the tools the default agent would offer it with their JSON Schema parameters.
import type { Config } from "../../generated/schemas.js";
import { loadAgents } from "../agent/agents.js";
import { loadSkills } from "../skill/skills.js";
import { DEFAULT_AGENT } from "../session/agent-choice.js";
import { findWorktree } from "../git/worktree.js";
import { TOOL_IDS, toolsFor } from "./registry.js";
import type { ToolDefinition } from "./tool.js";

/** Every tool id, in upstream's order: the built-in ones, then the custom ones (and plugins'). */
export function toolIds(custom: ToolDefinition<never>[] = []): string[] {
  return [...new Set([...TOOL_IDS, ...custom.map((tool) => tool.id)])];
}

/** The tools the default agent of a directory offers a model (custom ones included), with their parameters. */
export async function toolsForDefaultAgent(config: Config, directory: string, custom: ToolDefinition<never>[] = []) {
  const worktree = findWorktree(directory);
  const agents = await loadAgents(config, directory, worktree);
  const name = config.default_agent ?? DEFAULT_AGENT;
  const agent = agents.find((a) => a.name === name) ?? agents.find((a) => a.name === DEFAULT_AGENT)!;
  const subagents = agents.filter((a) => a.mode !== "primary" && !a.hidden);
  const skills = await loadSkills(directory, worktree);
  // Listed in upstream's registry order (unknown ids, from MCP servers, last).
  const rank = (id: string) => (TOOL_IDS.includes(id) ? TOOL_IDS.indexOf(id) : TOOL_IDS.length);
  const tools = toolsFor({ agent, config, enabled: agent.tools, subagents, skills, extra: custom }).sort((a, b) => rank(a.id) - rank(b.id));
  return tools.map((tool) => ({
    id: tool.id,
    description: tool.description,
    parameters: tool.parameters,
  }));
}
