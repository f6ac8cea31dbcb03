// The one permission ruleset a session's requests are checked against, whoever asks: a tool call
// of the run, or a client through v2 permission.create.
import type { PermissionRuleset, Session } from "../../generated/schemas.js";
import type { AgentDefinition } from "../agent/agent-definition.js";

/**
 * The agent's effective ruleset as loadAgents assembled it (defaults, the agent's own rules, the
 * config's), then the session's, the last match winning.
 */
export function sessionRules(agent: Pick<AgentDefinition, "permission">, session: Session): PermissionRuleset {
  return [...agent.permission, ...(session.permission ?? [])];
}
