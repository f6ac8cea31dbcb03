// Switching a session's agent or model between prompts (v2 switchAgent / switchModel, and a new
// v2 session that names them): checked, stored, published as session.updated.
import type { Session } from "../../generated/schemas.js";
import type { ConfigSource } from "../config/config-source.js";
import { chooseAgent } from "./agent-choice.js";
import type { SessionService } from "./session-service.js";

export interface SessionSwitchDeps {
  sessions: Pick<SessionService, "get" | "mutate">;
  config: ConfigSource;
}

export interface ModelChoice {
  id: string;
  providerID: string;
  variant?: string;
}

/**
 * The session answers with this agent from its next prompt on; InvalidRequestError for an agent
 * the directory does not have (unless `verify` is false: a new v2 session stores the name it is
 * given, and its first prompt finds out).
 */
export async function switchAgent(deps: SessionSwitchDeps, sessionID: string, agent: string, verify = true): Promise<Session> {
  const session = await deps.sessions.get(sessionID);
  if (verify) await chooseAgent(session, await deps.config.forDirectory(session.directory), agent);
  return deps.sessions.mutate(sessionID, (current) => ({ ...current, agent, time: { ...current.time, updated: Date.now() } }));
}

/** The session answers with this model from its next prompt on. */
export function switchModel(deps: SessionSwitchDeps, sessionID: string, model: ModelChoice): Promise<Session> {
  const chosen = { id: model.id, providerID: model.providerID, variant: model.variant ?? "default" };
  return deps.sessions.mutate(sessionID, (current) => ({ ...current, model: chosen, time: { ...current.time, updated: Date.now() } }));
}
