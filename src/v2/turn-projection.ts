// What a turn's bus events become in the v2 session log: an assistant message is a step
// (started, then ended or failed), its text and reasoning parts are started/ended with their
// deltas, its tool parts are tool input/call/result events. Each event is logged once per
// session, type and message/part/call id, so repeated updates of a part log nothing new.
import type { Message, Part, ToolPart } from "../../generated/schemas.js";

const NOT_PROVIDER_EXECUTED = { executed: false };

/** Where the projection writes: the session log. */
export interface ProjectionTarget {
  /** Whether the session has this type of event about `ref`. */
  has(sessionID: string, ref: string, type: string): boolean;
  /** Appends unless the session already has this type of event about `ref`. */
  once(sessionID: string, directory: string, type: string, ref: string, data: () => Record<string, unknown>): void;
  /** Appends an event that is not tied to a ref (a delta). */
  append(sessionID: string, directory: string, type: string, data: Record<string, unknown>): void;
}

export class TurnProjection {
  constructor(private readonly log: ProjectionTarget) {}

  private isStep(sessionID: string, messageID: string): boolean {
    return this.log.has(sessionID, messageID, "session.next.step.started");
  }

  step(sessionID: string, directory: string, info: Extract<Message, { role: "assistant" }>): void {
    const base = { sessionID, assistantMessageID: info.id };
    this.log.once(sessionID, directory, "session.next.step.started", info.id, () => ({
      ...base,
      timestamp: info.time.created,
      agent: info.agent,
      model: { id: info.modelID, providerID: info.providerID },
    }));
    const end = info.time.completed;
    if (!end) return;
    if (info.error) {
      const message = String((info.error.data as { message?: unknown } | undefined)?.message ?? info.error.name);
      this.log.once(sessionID, directory, "session.next.step.failed", info.id, () => ({
        ...base,
        timestamp: end,
        error: { type: "unknown", message },
      }));
      return;
    }
    const { input, output, reasoning, cache } = info.tokens;
    this.log.once(sessionID, directory, "session.next.step.ended", info.id, () => ({
      ...base,
      timestamp: end,
      finish: info.finish ?? "stop",
      cost: info.cost,
      tokens: { input, output, reasoning, cache },
    }));
  }

  part(sessionID: string, directory: string, part: Part): void {
    if (!this.isStep(sessionID, part.messageID)) return;
    const base = { sessionID, assistantMessageID: part.messageID };
    if ((part.type === "text" && !part.synthetic) || part.type === "reasoning") {
      const kind = part.type;
      const key = kind === "text" ? { textID: part.id } : { reasoningID: part.id };
      const start = part.time?.start ?? Date.now();
      this.log.once(sessionID, directory, `session.next.${kind}.started`, part.id, () => ({ ...base, timestamp: start, ...key }));
      const end = part.time?.end;
      if (end !== undefined)
        this.log.once(sessionID, directory, `session.next.${kind}.ended`, part.id, () => ({
          ...base,
          timestamp: end,
          ...key,
          text: part.text,
        }));
      return;
    }
    if (part.type === "tool") this.tool(sessionID, directory, part, base);
  }

  private tool(sessionID: string, directory: string, part: ToolPart, base: Record<string, unknown>): void {
    const state = part.state;
    const start = "time" in state && state.time ? state.time.start : Date.now();
    const at = (timestamp: number) => ({ ...base, timestamp, callID: part.callID });
    const input = "input" in state ? ((state.input ?? {}) as Record<string, unknown>) : {};
    this.log.once(sessionID, directory, "session.next.tool.input.started", part.callID, () => ({ ...at(start), name: part.tool }));
    if (state.status === "pending") return;
    this.log.once(sessionID, directory, "session.next.tool.input.ended", part.callID, () => ({
      ...at(start),
      text: JSON.stringify(input),
    }));
    this.log.once(sessionID, directory, "session.next.tool.called", part.callID, () => ({
      ...at(start),
      tool: part.tool,
      input,
      provider: NOT_PROVIDER_EXECUTED,
    }));
    if (state.status === "completed")
      this.log.once(sessionID, directory, "session.next.tool.success", part.callID, () => ({
        ...at(state.time.end),
        structured: state.metadata ?? {},
        content: [{ type: "text", text: state.output }],
        provider: NOT_PROVIDER_EXECUTED,
      }));
    if (state.status === "error")
      this.log.once(sessionID, directory, "session.next.tool.failed", part.callID, () => ({
        ...at(state.time.end),
        error: { type: "unknown", message: state.error },
        provider: NOT_PROVIDER_EXECUTED,
      }));
  }

  delta(sessionID: string, directory: string, messageID: string, partID: string, delta: string): void {
    const kind = this.log.has(sessionID, partID, "session.next.text.started")
      ? "text"
      : this.log.has(sessionID, partID, "session.next.reasoning.started")
        ? "reasoning"
        : undefined;
    if (!kind) return;
    this.log.append(sessionID, directory, `session.next.${kind}.delta`, {
      timestamp: Date.now(),
      sessionID,
      assistantMessageID: messageID,
      ...(kind === "text" ? { textID: partID } : { reasoningID: partID }),
      delta,
    });
  }
}
