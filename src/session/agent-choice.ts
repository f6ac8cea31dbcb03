// Which agent and model a request runs with: the request's, else the session's last ones, else
// the configuration's defaults, as upstream chooses.
import type { Config, Session } from "../../generated/schemas.js";
import { defaultModel, type ModelRef } from "../agent/llm/models.js";
import { HttpError, badRequest } from "../server/errors.js";

/** The agent used when nothing names one. Issue 4 brings the configurable agent pool. */
export const DEFAULT_AGENT = "build";
const BUILT_IN_AGENTS = new Set(["build", "plan", "general", "explore"]);

export function chooseAgent(session: Session, config: Config, requested?: string): string {
  const agent = requested ?? session.agent ?? config.default_agent ?? DEFAULT_AGENT;
  if (!BUILT_IN_AGENTS.has(agent)) throw badRequest(`Agent not found: ${agent}`, "Payload");
  return agent;
}

export function chooseModel(session: Session, config: Config, requested?: ModelRef): ModelRef {
  const model =
    requested ?? (session.model ? { providerID: session.model.providerID, modelID: session.model.id } : undefined) ?? defaultModel(config);
  if (!model) throw badRequest("No model: name one in the request or set `model` in opencode.json", "Payload");
  return model;
}

export function sessionBusy(sessionID: string): HttpError {
  return new HttpError(409, { _tag: "SessionBusyError", sessionID, message: `Session is busy: ${sessionID}` });
}
