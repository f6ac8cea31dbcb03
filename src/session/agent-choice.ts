// Which agent and model a request runs with: the request's, else the session's last ones, else
// the configuration's defaults, as upstream chooses.
import type { Config, Session } from "../../generated/schemas.js";
import { loadAgents, type AgentDefinition } from "../agent/agents.js";
import { defaultModel, type ModelRef } from "../agent/llm/models.js";
import { InvalidRequestError } from "../domain-errors.js";
import { findWorktree } from "../git/worktree.js";

/** The agent used when nothing names one. */
export const DEFAULT_AGENT = "build";

export async function chooseAgent(session: Session, config: Config, requested?: string): Promise<AgentDefinition> {
  const name = requested ?? session.agent ?? config.default_agent ?? DEFAULT_AGENT;
  const agents = await loadAgents(config, session.directory, findWorktree(session.directory));
  const agent = agents.find((a) => a.name === name);
  if (!agent) throw new InvalidRequestError(`Agent not found: ${name}`, "agent");
  return agent;
}

/** `fallback`: the first usable provider's model (or the demo script) when `model` is not configured. */
export function chooseModel(session: Session, config: Config, agent: AgentDefinition, requested?: ModelRef, fallback?: ModelRef): ModelRef {
  const model =
    requested ??
    agent.model ??
    (session.model ? { providerID: session.model.providerID, modelID: session.model.id } : undefined) ??
    defaultModel(config) ??
    fallback;
  if (!model) throw new InvalidRequestError("No model: name one in the request or set `model` in opencode.json", "model");
  return model;
}
