// Admitting a prompt: the user's message and its parts are built as upstream stores them, shown
// to plugins (chat.message), stored, then published. Nothing is published before it is stored.
import type { OperationIO } from "../../generated/handlers.js";
import type { Part, Session, UserMessage } from "../../generated/schemas.js";
import { expandFilePart } from "../agent/llm/history.js";
import type { ModelRef } from "../agent/llm/models.js";
import { createId } from "../id.js";
import type { PluginHooks } from "../plugin/plugin-service.js";
import type { MessageWithParts } from "../storage/store.js";
import type { SessionDeps } from "./session-deps.js";

export type PromptBody = NonNullable<OperationIO["session.prompt"]["body"]>;

export type UserMessageDeps = Pick<SessionDeps, "store" | "events"> & { plugins: Pick<PluginHooks, "chatMessage"> };

export async function storeUserMessage(
  deps: UserMessageDeps,
  session: Session,
  body: PromptBody,
  agent: string,
  model: ModelRef,
): Promise<MessageWithParts> {
  const { store, events, plugins } = deps;
  const info: UserMessage = {
    id: body.messageID ?? createId("msg"),
    sessionID: session.id,
    role: "user",
    time: { created: Date.now() },
    agent,
    model: { providerID: model.providerID, modelID: model.modelID, ...(body.variant ? { variant: body.variant } : {}) },
    ...(body.system ? { system: body.system } : {}),
    ...(body.tools ? { tools: body.tools } : {}),
    ...(body.format ? { format: body.format } : {}),
  };
  const parts: Part[] = [];
  for (const input of body.parts) {
    // An attached file is stored as upstream stores it: as if read with the read tool.
    const pieces = input.type === "file" ? await expandFilePart(input) : [input];
    for (const piece of pieces)
      parts.push({ ...piece, id: ("id" in piece && piece.id) || createId("prt"), sessionID: session.id, messageID: info.id } as Part);
  }
  // Plugins see the message and its parts before they are stored, and may change them (chat.message).
  const hookInput = { sessionID: session.id, agent, model, messageID: body.messageID, variant: body.variant };
  await plugins.chatMessage(session.directory, hookInput, { message: info, parts });
  await store.putMessage(info);
  for (const part of parts) await store.putPart(part);
  // Published together: nothing of a turn still running (its deltas) comes between a queued
  // prompt's message and its parts, however long the writes took (PostgreSQL).
  await events.publishTogether(session, [
    { type: "message.updated", properties: { sessionID: session.id, info } },
    ...parts.map((part) => ({ type: "message.part.updated" as const, properties: { sessionID: session.id, part, time: Date.now() } })),
  ]);
  return { info, parts };
}
