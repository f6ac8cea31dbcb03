// Keeping the console live: GET /global/event applied to the state as it comes, and everything
// reloaded after the stream was down.
import type { Message, Part, PermissionRequest, QuestionRequest, Session, SessionStatus, Todo } from "@opencode-ai/sdk/v2/client";
import { changed, client, loadAll, must, projectKnown, report, state } from "./store";

function upsertPart(sessionID: string, part: Part): void {
  const entry = state.messages.get(sessionID)?.find((m) => m.info.id === part.messageID);
  if (!entry) return;
  const at = entry.parts.findIndex((p) => p.id === part.id);
  if (at >= 0) entry.parts[at] = part;
  else entry.parts.push(part);
}

type Frame = { directory?: string; payload: { type: string; properties: Record<string, unknown> } };

function onEvent(frame: Frame): void {
  // `sync` frames (the durable session history) carry no properties; the console does not need them.
  const { type, properties: p } = frame.payload ?? {};
  if (!type || !p) return;
  const sessionID = p.sessionID as string | undefined;
  switch (type) {
    case "server.connected":
      state.connected = true;
      // After a gap, what happened meanwhile is read afresh (the stream is already open again).
      if (reconnecting) void loadAll().catch(report);
      reconnecting = false;
      break;
    case "session.created":
    case "session.updated": {
      const info = p.info as Session;
      state.sessions.set(info.id, info);
      if (!projectKnown(info.projectID))
        void client.project
          .list()
          .then(must)
          .then((projects) => {
            state.projects = [...state.projects, ...projects.filter((x) => !projectKnown(x.id))];
            changed();
          });
      break;
    }
    case "session.deleted":
      state.sessions.delete((p.info as Session).id);
      break;
    case "session.status":
      state.status.set(sessionID!, p.status as SessionStatus);
      if ((p.status as SessionStatus).type === "busy") state.sessionErrors.delete(sessionID!);
      break;
    case "session.idle":
      state.status.set(sessionID!, { type: "idle" });
      break;
    case "session.error": {
      const error = p.error as { name?: string; data?: { message?: string } } | undefined;
      if (sessionID && error && error.name !== "MessageAbortedError") {
        state.sessionErrors.set(sessionID, error.data?.message ?? error.name ?? "error");
      }
      break;
    }
    case "message.updated": {
      const info = p.info as Message;
      const list = state.messages.get(info.sessionID);
      if (!list) break;
      const entry = list.find((m) => m.info.id === info.id);
      if (entry) entry.info = info;
      else list.push({ info, parts: [] });
      break;
    }
    case "message.removed": {
      const list = state.messages.get(sessionID!);
      if (list)
        state.messages.set(
          sessionID!,
          list.filter((m) => m.info.id !== p.messageID),
        );
      break;
    }
    case "message.part.updated":
      upsertPart(sessionID ?? (p.part as Part).sessionID, p.part as Part);
      break;
    case "message.part.delta": {
      const entry = state.messages.get(sessionID!)?.find((m) => m.info.id === p.messageID);
      const part = entry?.parts.find((x) => x.id === p.partID) as Record<string, unknown> | undefined;
      if (part) part[p.field as string] = String(part[p.field as string] ?? "") + String(p.delta);
      break;
    }
    case "message.part.removed": {
      const entry = state.messages.get(sessionID!)?.find((m) => m.info.id === p.messageID);
      if (entry) entry.parts = entry.parts.filter((x) => x.id !== p.partID);
      break;
    }
    case "permission.asked":
      state.permissions.set(p.id as string, p as unknown as PermissionRequest);
      break;
    case "permission.replied":
      state.permissions.delete(p.requestID as string);
      break;
    case "question.asked":
      state.questions.set(p.id as string, p as unknown as QuestionRequest);
      break;
    case "question.replied":
    case "question.rejected":
      state.questions.delete(p.requestID as string);
      break;
    case "todo.updated":
      state.todos.set(sessionID!, p.todos as Todo[]);
      break;
    default:
      return;
  }
  changed();
}

let reconnecting = false;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Follows GET /global/event for as long as the page lives; reloads everything after a gap. */
export async function follow(): Promise<void> {
  const stop = new AbortController();
  window.addEventListener("pagehide", () => stop.abort());
  while (!stop.signal.aborted) {
    try {
      const { stream } = await client.global.event({
        signal: stop.signal,
        sseMaxRetryAttempts: 1,
        onSseError: () => {},
      });
      for await (const frame of stream) {
        try {
          onEvent(frame as unknown as Frame);
        } catch (error) {
          console.warn("agentpool console: an event it could not apply", frame, error);
        }
      }
    } catch {
      // the stream failed; it is opened again below
    }
    if (stop.signal.aborted) break;
    reconnecting = true;
    state.connected = false;
    changed();
    await sleep(1500);
  }
}
