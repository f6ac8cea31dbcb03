// The tools as the experimental /tool routes describe them: every tool id this server has, and
// for a model, the tools the default agent would offer it with their JSON Schema parameters
// (marked with the draft upstream declares).
import type { Config } from "../../generated/schemas.js";
import { loadAgents } from "../agent/agents.js";
import { DEFAULT_AGENT } from "../session/agent-choice.js";
import { findWorktree } from "../workspace/worktree.js";
import { BUILT_IN_TOOLS, toolsFor } from "./registry.js";

const JSON_SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema";

/** Every tool id, the sub-agent tool `task` included. */
export function toolIds(): string[] {
  return [...BUILT_IN_TOOLS.map((tool) => tool.id), "task"];
}

/** The tools the default agent of a directory offers a model, with their parameters. */
export async function toolsForDefaultAgent(config: Config, directory: string) {
  const agents = await loadAgents(config, directory, findWorktree(directory));
  const name = config.default_agent ?? DEFAULT_AGENT;
  const agent = agents.find((a) => a.name === name) ?? agents.find((a) => a.name === DEFAULT_AGENT);
  const subagents = agents.filter((a) => a.mode !== "primary" && !a.hidden);
  return toolsFor(agent?.tools, subagents).map((tool) => ({
    id: tool.id,
    description: tool.description,
    parameters: { $schema: JSON_SCHEMA_DRAFT, ...tool.parameters },
  }));
}
