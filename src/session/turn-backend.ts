// The backend that runs a turn: the agent's own process for an external (ACP) agent, the members
// for a team, else the model through the AI SDK, with upstream's request headers and options.
import type { Config, Session, UserMessage } from "../../generated/schemas.js";
import type { AgentBackend } from "../agent/agent-backend.js";
import type { AgentDefinition } from "../agent/agent-definition.js";
import { AcpBackend, type AcpPool } from "../agent/acp/acp-backend.js";
import { LlmBackend } from "../agent/llm/llm-backend.js";
import type { ModelResolver } from "../agent/llm/model-resolver.js";
import { requestOptions, type ModelRef } from "../agent/llm/models.js";
import { TeamBackend } from "../agent/team/team-backend.js";
import type { PluginHooks } from "../plugin/plugin-service.js";
import { samplingOf } from "../provider/sampling.js";

export interface TurnBackendDeps {
  acp: AcpPool;
  models: ModelResolver;
  plugins: Pick<PluginHooks, "modelCall">;
  /** Waits between retries of a failing provider (tests shorten them). */
  retryDelaysMs?: number[];
}

export interface TurnBackendInput {
  agent: AgentDefinition;
  /** A compaction turn always asks the model, whatever the agent is. */
  compaction: boolean;
  session: Session;
  config: Config;
  model: ModelRef;
  user: UserMessage;
}

export function turnBackend(deps: TurnBackendDeps, { agent, compaction, session, config, model, user }: TurnBackendInput): AgentBackend {
  if (agent.external && !compaction) return new AcpBackend(deps.acp, { ...agent, external: agent.external }, session.id, session.directory);
  if (agent.team && !compaction) return new TeamBackend({ ...agent, team: agent.team });
  const resolved = deps.models.resolve(config, model, session.directory);
  return new LlmBackend(resolved, {
    providerOptions: requestOptions(resolved, user.model.variant, agent.options),
    retryDelaysMs: deps.retryDelaysMs,
    headers: {
      "x-session-id": session.id,
      "x-session-affinity": session.id,
      // Providers route and cache a sub-agent's requests with its parent's.
      ...(session.parentID ? { "x-parent-session-id": session.parentID } : {}),
    },
    sampling: samplingOf(resolved.info, agent),
    adjustCall: deps.plugins.modelCall(session.directory, {
      sessionID: session.id,
      agent: agent.name,
      model: resolved.info,
      provider: resolved.provider,
      optionsKey: resolved.optionsKey,
      message: user,
    }),
  });
}
