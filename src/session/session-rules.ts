// The one permission ruleset a session's requests are checked against, whoever asks: a tool call
// of the run, or a client through v2 permission.create.
import type { Config, PermissionRuleset, Session } from "../../generated/schemas.js";
import type { AgentDefinition } from "../agent/agent-definition.js";
import { agentRules } from "../agent/agents.js";

/** The agent's rules (defaults, the agent's own, the config's), then the session's, the last match winning. */
export function sessionRules(agent: AgentDefinition, config: Config, session: Session): PermissionRuleset {
  return [...agentRules(agent, config), ...(session.permission ?? [])];
}
