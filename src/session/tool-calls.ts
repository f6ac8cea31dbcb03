// The tool calls of one turn as tool parts: each call's part moves pending -> running ->
// completed or error, as the recorder applies the backend's events. Tools wait on a call's
// state (a permission is asked once the part exists; what a tool publishes follows "running").
import type { ToolPart } from "../../generated/schemas.js";
import type { AgentEvent } from "../agent/agent-event.js";

type Of<T extends AgentEvent["type"]> = Extract<AgentEvent, { type: T }>;
/** What a tool's part shows if the run is aborted while it runs (bash: its output so far). */
export type AbortResult = { title: string; output: string; metadata: Record<string, unknown> };
/** The fields every part of the current message starts with. */
type PartBase = Pick<ToolPart, "id" | "sessionID" | "messageID">;

/** One promise per call, resolved once; waiting before it exists is fine. */
class CallSignals {
  private readonly signals = new Map<string, { promise: Promise<void>; resolve: () => void }>();

  of(callID: string) {
    let signal = this.signals.get(callID);
    if (!signal) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.signals.set(callID, (signal = { promise, resolve }));
    }
    return signal;
  }
}

export class ToolCalls {
  private readonly parts = new Map<string, ToolPart>();
  private readonly pending = new CallSignals();
  private readonly running = new CallSignals();
  private readonly abortResults = new Map<string, AbortResult>();
  /** Per call, its permission requests on their way to being asked. */
  private readonly asks = new Map<string, Set<Promise<void>>>();

  /** Resolves once the call's part exists (pending): a tool may ask permission from then on. */
  whenPending(callID: string): Promise<void> {
    return this.pending.of(callID).promise;
  }

  /**
   * Resolves once the call's part is recorded as running. A tool's execution waits for it, so
   * what the tool publishes (file events, progress) always follows "running", as upstream shows.
   */
  whenRunning(callID: string): Promise<void> {
    return this.running.of(callID).promise;
  }

  /**
   * The call's tool is asking permission; `asked` resolves once the request is published (or
   * decided without asking). The part turns "running" only after that, as upstream shows it,
   * however long the asking takes (database round trips on PostgreSQL).
   */
  asking(callID: string, asked: Promise<void>): void {
    let set = this.asks.get(callID);
    if (!set) this.asks.set(callID, (set = new Set()));
    set.add(asked);
    void asked.finally(() => set.delete(asked));
  }

  /** Resolves once the call's permission requests under way are asked. */
  async asked(callID: string): Promise<void> {
    const set = this.asks.get(callID);
    if (set?.size) await Promise.allSettled([...set]);
  }

  setAbortResult(callID: string, result: AbortResult): void {
    this.abortResults.set(callID, result);
  }

  abortResult(callID: string): AbortResult | undefined {
    return this.abortResults.get(callID);
  }

  /** The model began writing a call's input: a pending part (announce it with `published` once stored and published). */
  started(base: PartBase, event: Of<"tool-input-start">): ToolPart {
    return this.put(base, event.callID, event.tool, { status: "pending", input: {}, raw: "" });
  }

  /** The call's input is complete and it runs (announce it with `published`). */
  called(base: PartBase, event: Of<"tool-call">): ToolPart {
    return this.put(base, event.callID, event.tool, { status: "running", input: event.input, time: { start: Date.now() } });
  }

  /**
   * The call's part is stored and published in its state: what waits on that state may go on now,
   * so a tool's permission request or output never comes before the part it belongs to.
   */
  published(part: ToolPart): void {
    this.pending.of(part.callID).resolve();
    if (part.state.status === "running") this.running.of(part.callID).resolve();
  }

  /** A running call's news; undefined for a call that is not running. */
  progressed(event: Of<"tool-progress">): ToolPart | undefined {
    const part = this.parts.get(event.callID);
    if (!part || part.state.status !== "running") return undefined;
    part.state = {
      ...part.state,
      ...(event.title ? { title: event.title } : {}),
      ...(event.metadata ? { metadata: event.metadata } : {}),
      ...(event.input ? { input: event.input } : {}),
    };
    return part;
  }

  /** The call's result or error; undefined for a call this turn never saw. */
  finished(event: Of<"tool-result"> | Of<"tool-error">): ToolPart | undefined {
    const part = this.parts.get(event.callID);
    if (!part) return undefined;
    const input = part.state.status === "pending" ? {} : part.state.input;
    const time = { start: part.state.status === "running" ? part.state.time.start : Date.now(), end: Date.now() };
    part.state =
      event.type === "tool-result"
        ? { status: "completed", input, output: event.output, title: event.title, metadata: event.metadata, time }
        : { status: "error", input, error: event.error, ...(event.metadata ? { metadata: event.metadata } : {}), time };
    return part;
  }

  /** Calls still pending or running (a failed turn ends them). */
  unfinished(): ToolPart[] {
    return [...this.parts.values()].filter((p) => p.state.status === "pending" || p.state.status === "running");
  }

  private put(base: PartBase, callID: string, tool: string, state: ToolPart["state"]): ToolPart {
    const existing = this.parts.get(callID);
    const part: ToolPart = existing ? { ...existing, tool, state } : { ...base, type: "tool", callID, tool, state };
    this.parts.set(callID, part);
    return part;
  }
}
