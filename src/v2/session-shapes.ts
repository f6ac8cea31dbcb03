// Sessions, messages, permission requests and questions in the shapes of the v2 API
// (/api/session/*), built from what the v1 session engine stores: one engine, two views.
import type { OperationIO } from "../../generated/handlers.js";
import type {
  AssistantMessage,
  Part,
  PermissionRequest,
  PermissionV2Request,
  Prompt,
  QuestionRequest,
  QuestionV2Request,
  Session,
  SessionMessage,
  SessionMessageAssistant,
  SessionV2Info,
  ToolPart,
} from "../../generated/schemas.js";
import { NotFoundError } from "../domain-errors.js";
import type { MessageWithParts, Store } from "../storage/store.js";

export function toSessionV2(session: Session): SessionV2Info {
  return {
    id: session.id,
    ...(session.parentID ? { parentID: session.parentID } : {}),
    projectID: session.projectID,
    ...(session.agent ? { agent: session.agent } : {}),
    ...(session.model
      ? {
          model: {
            id: session.model.id,
            providerID: session.model.providerID,
            ...(session.model.variant ? { variant: session.model.variant } : {}),
          },
        }
      : {}),
    cost: session.cost ?? 0,
    tokens: session.tokens
      ? { input: session.tokens.input, output: session.tokens.output, reasoning: session.tokens.reasoning, cache: session.tokens.cache }
      : { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
    time: {
      created: session.time.created,
      updated: session.time.updated,
      ...(session.time.archived ? { archived: session.time.archived } : {}),
    },
    title: session.title,
    location: { directory: session.directory },
    ...(session.revert
      ? {
          revert: {
            messageID: session.revert.messageID,
            ...(session.revert.partID ? { partID: session.revert.partID } : {}),
            ...(session.revert.snapshot ? { snapshot: session.revert.snapshot } : {}),
            ...(session.revert.diff ? { diff: session.revert.diff } : {}),
          },
        }
      : {}),
  };
}

/** A session for a v2 route (a NotFoundError otherwise, answered in the v2 shape). */
export async function sessionForV2(store: Pick<Store, "getSession">, sessionID: string): Promise<Session> {
  const session = await store.getSession(sessionID);
  if (!session) throw new NotFoundError("Session", sessionID);
  return session;
}

function toolContent(part: ToolPart): SessionMessageAssistant["content"][number] {
  const state = part.state;
  const time = {
    created: "time" in state && state.time ? state.time.start : 0,
    ...(state.status === "running" ? { ran: state.time.start } : {}),
    ...(state.status === "completed" || state.status === "error" ? { ran: state.time.start, completed: state.time.end } : {}),
  };
  const base = { type: "tool" as const, id: part.callID, name: part.tool, time };
  switch (state.status) {
    case "pending":
      return { ...base, state: { status: "pending", input: JSON.stringify(state.input ?? {}) } };
    case "running":
      return { ...base, state: { status: "running", input: state.input, structured: state.metadata ?? {}, content: [] } };
    case "completed":
      return {
        ...base,
        state: {
          status: "completed",
          input: state.input,
          structured: state.metadata ?? {},
          content: [{ type: "text", text: state.output }],
        },
      };
    case "error":
      return {
        ...base,
        state: {
          status: "error",
          input: state.input,
          structured: state.metadata ?? {},
          content: [],
          error: { type: "unknown", message: state.error },
        },
      };
  }
}

function assistantOf(info: AssistantMessage, parts: Part[]): SessionMessageAssistant {
  const content = parts.flatMap((part): SessionMessageAssistant["content"] => {
    if (part.type === "text" && !part.synthetic) return [{ type: "text", id: part.id, text: part.text }];
    if (part.type === "reasoning")
      return [
        {
          type: "reasoning",
          id: part.id,
          text: part.text,
          time: { created: part.time.start, ...(part.time.end ? { completed: part.time.end } : {}) },
        },
      ];
    if (part.type === "tool") return [toolContent(part)];
    return [];
  });
  const error = info.error ? String((info.error.data as { message?: unknown } | undefined)?.message ?? info.error.name) : undefined;
  return {
    id: info.id,
    time: { created: info.time.created, ...(info.time.completed ? { completed: info.time.completed } : {}) },
    type: "assistant",
    agent: info.agent,
    model: { id: info.modelID, providerID: info.providerID, ...(info.variant ? { variant: info.variant } : {}) },
    content,
    ...(info.finish ? { finish: info.finish } : {}),
    cost: info.cost,
    tokens: { input: info.tokens.input, output: info.tokens.output, reasoning: info.tokens.reasoning, cache: info.tokens.cache },
    ...(error ? { error: { type: "unknown" as const, message: error } } : {}),
  };
}

/** A user message's parts as the v2 Prompt: its typed text and its attached files. */
export function promptOf(parts: Part[]): Prompt {
  const text = parts
    .filter((p) => p.type === "text" && !p.synthetic)
    .map((p) => (p as { text: string }).text)
    .join("\n");
  const files = parts.flatMap((p) =>
    p.type === "file" ? [{ uri: p.url, mime: p.mime, ...(p.filename ? { name: p.filename } : {}) }] : [],
  );
  return { text, ...(files.length ? { files } : {}) };
}

/** A v2 prompt as the parts the prompt loop stores (its text, then its files), and the files as the v2 answer echoes them. */
export function partsOfPrompt(prompt: PromptInput): { parts: PromptPart[]; files: NonNullable<Prompt["files"]> } {
  const files = (prompt.files ?? []).map((file) => ({
    uri: file.uri,
    mime: file.uri.startsWith("data:") ? file.uri.slice(5, file.uri.indexOf(";")) : "text/plain",
    ...(file.name ? { name: file.name } : {}),
  }));
  const parts: PromptPart[] = [
    { type: "text", text: prompt.text },
    ...files.map((f) => ({ type: "file" as const, mime: f.mime, url: f.uri, ...(f.name ? { filename: f.name } : {}) })),
  ];
  return { parts, files };
}

/** The prompt a v2 client sends (its files name no mime type). */
type PromptInput = NonNullable<OperationIO["v2.session.prompt"]["body"]>["prompt"];

type PromptPart = { type: "text"; text: string } | { type: "file"; mime: string; url: string; filename?: string };

/** One stored message as the v2 API lists it (a compaction request as its summary marker). */
export function toSessionMessage({ info, parts }: MessageWithParts): SessionMessage {
  if (info.role === "assistant") return assistantOf(info, parts);
  if (parts.some((p) => p.type === "compaction"))
    return { type: "compaction", reason: "manual", summary: "", recent: "", id: info.id, time: { created: info.time.created } };
  return { id: info.id, time: { created: info.time.created }, ...promptOf(parts), type: "user" };
}

export function toPermissionV2(request: PermissionRequest): PermissionV2Request {
  return {
    id: request.id,
    sessionID: request.sessionID,
    action: request.permission,
    resources: request.patterns,
    save: request.always,
    metadata: request.metadata,
    ...(request.tool ? { source: { type: "tool", messageID: request.tool.messageID, callID: request.tool.callID } } : {}),
  };
}

export function toQuestionV2(request: QuestionRequest): QuestionV2Request {
  return {
    id: request.id,
    sessionID: request.sessionID,
    questions: request.questions.map((q) => ({
      question: q.question,
      header: q.header,
      options: q.options.map((o) => ({ label: o.label, description: o.description })),
      ...(q.multiple !== undefined ? { multiple: q.multiple } : {}),
      ...(q.custom !== undefined ? { custom: q.custom } : {}),
    })),
    ...(request.tool ? { tool: { messageID: request.tool.messageID, callID: request.tool.callID } } : {}),
  };
}
