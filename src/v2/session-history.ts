// A session's durable history in the shape of upstream's new engine (session.next.* events),
// derived from the messages and parts this server stores (for sessions recorded before the
// session log, src/v2/durable-log.ts, existed; that log seeds itself from it): a prompt, then per assistant message a
// step with its reasoning, text and tool calls, ending or failing. The same stored messages always
// give the same events (ids and seq included), so a client can page with `after` and resume.
import type { Part, SessionDurableEvent, ToolPart } from "../../generated/schemas.js";
import type { MessageWithParts } from "../storage/store.js";
import { promptOf } from "./session-shapes.js";

type Draft = { type: SessionDurableEvent["type"]; data: Record<string, unknown> };

const NOT_PROVIDER_EXECUTED = { executed: false };

function toolEvents(part: ToolPart, base: Record<string, unknown>): Draft[] {
  const state = part.state;
  const input = "input" in state ? (state.input as Record<string, unknown>) : {};
  const at = (time?: number) => ({ ...base, timestamp: time ?? (base.timestamp as number), callID: part.callID });
  const start = "time" in state && state.time ? state.time.start : undefined;
  const events: Draft[] = [
    { type: "session.next.tool.input.started", data: { ...at(start), name: part.tool } },
    { type: "session.next.tool.input.ended", data: { ...at(start), text: JSON.stringify(input) } },
  ];
  if (state.status === "pending") return events;
  events.push({ type: "session.next.tool.called", data: { ...at(start), tool: part.tool, input, provider: NOT_PROVIDER_EXECUTED } });
  if (state.status === "completed")
    events.push({
      type: "session.next.tool.success",
      data: {
        ...at(state.time.end),
        structured: state.metadata ?? {},
        content: [{ type: "text", text: state.output }],
        provider: NOT_PROVIDER_EXECUTED,
      },
    });
  if (state.status === "error")
    events.push({
      type: "session.next.tool.failed",
      data: { ...at(state.time.end), error: { type: "unknown", message: state.error }, provider: NOT_PROVIDER_EXECUTED },
    });
  return events;
}

function partEvents(part: Part, base: Record<string, unknown>): Draft[] {
  if (part.type === "text" && !part.synthetic) {
    const at = { ...base, timestamp: part.time?.start ?? base.timestamp, textID: part.id };
    return [
      { type: "session.next.text.started", data: at },
      { type: "session.next.text.ended", data: { ...at, timestamp: part.time?.end ?? at.timestamp, text: part.text } },
    ];
  }
  if (part.type === "reasoning") {
    const at = { ...base, timestamp: part.time.start, reasoningID: part.id };
    return [
      { type: "session.next.reasoning.started", data: at },
      { type: "session.next.reasoning.ended", data: { ...at, timestamp: part.time.end ?? part.time.start, text: part.text } },
    ];
  }
  if (part.type === "tool") return toolEvents(part, base);
  return [];
}

function messageEvents({ info, parts }: MessageWithParts): Draft[] {
  if (info.role === "user") {
    const data = {
      timestamp: info.time.created,
      sessionID: info.sessionID,
      messageID: info.id,
      prompt: promptOf(parts),
      delivery: "queue",
    };
    // Upstream admits a prompt first, then the run takes it (prompted).
    return [
      { type: "session.next.prompt.admitted", data },
      { type: "session.next.prompted", data },
    ];
  }
  const base = { timestamp: info.time.created, sessionID: info.sessionID, assistantMessageID: info.id };
  const events: Draft[] = [
    {
      type: "session.next.step.started",
      data: { ...base, agent: info.agent, model: { id: info.modelID, providerID: info.providerID } },
    },
    ...parts.flatMap((part) => partEvents(part, base)),
  ];
  const end = info.time.completed;
  if (info.error) {
    const message = String((info.error.data as { message?: unknown } | undefined)?.message ?? info.error.name);
    events.push({
      type: "session.next.step.failed",
      data: { ...base, timestamp: end ?? base.timestamp, error: { type: "unknown", message } },
    });
  } else if (end) {
    const { input, output, reasoning, cache } = info.tokens;
    events.push({
      type: "session.next.step.ended",
      data: { ...base, timestamp: end, finish: info.finish ?? "stop", cost: info.cost, tokens: { input, output, reasoning, cache } },
    });
  }
  return events;
}

/** The messages whose events are settled: everything before the first reply still being written. */
function settled(messages: MessageWithParts[]): MessageWithParts[] {
  const open = messages.findIndex((m) => m.info.role === "assistant" && !m.info.time.completed);
  return open < 0 ? messages : messages.slice(0, open);
}

/** The session's durable events, seq 1 onwards (a reply still being written is not in them yet). */
export function sessionHistory(sessionID: string, directory: string, messages: MessageWithParts[]): SessionDurableEvent[] {
  return settled(messages)
    .flatMap(messageEvents)
    .map(
      (draft, i) =>
        ({
          id: `evt_${sessionID.slice(4)}${String(i + 1).padStart(6, "0")}`,
          type: draft.type,
          durable: { aggregateID: sessionID, seq: i + 1, version: 1 },
          location: { directory },
          data: draft.data,
        }) as SessionDurableEvent,
    );
}
