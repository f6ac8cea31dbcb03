// The shapes the Python SDK opencode-ai 0.1.0a36 expects where the current API moved on
// (spec/overlays/python-sdk-legacy.json). Each function turns a current answer into its legacy
// form; they are applied only to legacy requests, so current clients see upstream's shapes.
import type { Message, Model, Part, Provider } from "../../generated/schemas.js";
import type { BusEvent } from "../bus/event-bus.js";

/** The old API listed a model's capabilities as flat flags. */
export function withFlatModelFlags(provider: Provider): Provider {
  const models = Object.fromEntries(
    Object.entries(provider.models).map(([id, model]: [string, Model]) => [
      id,
      {
        ...model,
        attachment: model.capabilities.attachment,
        reasoning: model.capabilities.reasoning,
        temperature: model.capabilities.temperature,
        tool_call: model.capabilities.toolcall,
      },
    ]),
  );
  return { ...provider, models };
}

/** The old API's assistant messages always carried the list of system prompts (empty here). */
export function withSystem<T extends Message>(info: T): T {
  return info.role === "assistant" && !("system" in info) ? { ...info, system: [] } : info;
}

export function withSystemInMessages(messages: { info: Message; parts: Part[] }[]): { info: Message; parts: Part[] }[] {
  return messages.map((message) => ({ ...message, info: withSystem(message.info) }));
}

/** message.updated as the old API sent it, for a legacy client's event stream. */
export function legacyEvent(event: BusEvent): BusEvent {
  if (event.type !== "message.updated") return event;
  const properties = event.properties as { info: Message };
  return { ...event, properties: { ...properties, info: withSystem(properties.info) } };
}

export interface LegacyChatBody {
  providerID: string;
  modelID: string;
  mode?: string;
  system?: string;
  tools?: Record<string, boolean>;
  messageID?: string;
  parts: unknown[];
}

/** The old chat request: top-level providerID and modelID, and no `model`. */
export function isLegacyChat(body: Record<string, unknown>): body is Record<string, unknown> & LegacyChatBody {
  return typeof body.providerID === "string" && typeof body.modelID === "string" && body.model === undefined;
}

/** The old chat request as a current prompt: the model from providerID/modelID, `mode` as the agent. */
export function promptFromLegacyChat(body: LegacyChatBody) {
  return {
    parts: body.parts,
    model: { providerID: body.providerID, modelID: body.modelID },
    ...(body.mode ? { agent: body.mode } : {}),
    ...(body.system ? { system: body.system } : {}),
    ...(body.tools ? { tools: body.tools } : {}),
    ...(body.messageID ? { messageID: body.messageID } : {}),
  };
}
