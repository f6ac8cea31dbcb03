// A sub-agent's task (the `task` tool, a team member): a child session, titled as upstream titles
// it and allowed no further tasks, answers the prompt with the sub-agent; aborting the parent's
// run stops the child with everything it waits on.
import type { Session, UserMessage } from "../../generated/schemas.js";
import type { ModelRef } from "../agent/llm/models.js";
import type { ConfigSource } from "../config/config-source.js";
import type { MessageWithParts } from "../storage/store.js";
import type { ToolContext } from "../tool/tool.js";
import { chooseAgent } from "./agent-choice.js";
import type { SessionDeps } from "./session-deps.js";
import type { SessionLifecycle } from "./session-lifecycle.js";
import type { PromptBody } from "./user-message.js";

export type SubtaskRequest = Parameters<ToolContext["subtask"]>[0];
export type SubtaskResult = Awaited<ReturnType<ToolContext["subtask"]>>;

export interface SubtaskDeps extends Pick<SessionDeps, "store" | "sessions"> {
  config: ConfigSource;
  lifecycle: Pick<SessionLifecycle, "stop">;
  /** Prompts the child session; resolves with its reply once answered. */
  prompt(sessionID: string, body: PromptBody): Promise<{ queued: Promise<MessageWithParts> }>;
}

export async function runSubtask(
  deps: SubtaskDeps,
  parent: Session,
  user: UserMessage,
  request: SubtaskRequest,
  signal: AbortSignal,
): Promise<SubtaskResult> {
  const { sessions, store, lifecycle } = deps;
  // A sub-agent with a model of its own (a team member, say) runs with it; others with the parent's.
  const own = (await chooseAgent(parent, await deps.config.forDirectory(parent.directory), request.agent)).model;
  const existing = request.sessionID ? await store.getSession(request.sessionID) : undefined;
  const child =
    existing?.parentID === parent.id
      ? existing
      : await sessions.create(parent.directory, {
          parentID: parent.id,
          title: `${request.description} (@${request.agent} subagent)`,
          permission: [{ permission: "task", pattern: "*", action: "deny" }],
        });
  const model: ModelRef = own ?? { providerID: user.model.providerID, modelID: user.model.modelID };
  request.started?.({ sessionID: child.id, model });
  const { queued } = await deps.prompt(child.id, { agent: request.agent, model, parts: [{ type: "text", text: request.prompt }] });
  // The child stops with everything it waits on (a permission, a question, its own tasks).
  const stop = () => void lifecycle.stop(child.id);
  signal.addEventListener("abort", stop, { once: true });
  try {
    const reply = await queued;
    const error =
      reply.info.role === "assistant" && reply.info.error
        ? String((reply.info.error.data as { message?: string }).message ?? reply.info.error.name)
        : undefined;
    const text = reply.parts
      .filter((p) => p.type === "text" && !p.synthetic)
      .map((p) => (p as { text: string }).text)
      .join("\n");
    return { sessionID: child.id, text, ...(error ? { error } : {}), model };
  } finally {
    signal.removeEventListener("abort", stop);
  }
}
