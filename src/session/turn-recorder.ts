// The one recorder: turns the agent events of one turn into assistant messages and parts,
// stores each change, then publishes upstream's events (message.updated, message.part.updated,
// message.part.delta). Every backend goes through here, so every backend produces the same stream.
import { ioTurn } from "./io-turns.js";
import type { AssistantMessage, Part, ReasoningPart, TextPart, UserMessage } from "../../generated/schemas.js";
import type { AgentEvent, TokenUsage } from "../agent/agent-event.js";
import { ZERO_USAGE } from "../agent/agent-event.js";
import type { MessageError } from "../agent/agent-errors.js";
import { createId } from "../id.js";
import { ToolCalls, type AbortResult } from "./tool-calls.js";
import type { Store } from "../storage/store.js";
import type { SessionEvents } from "./session-events.js";
import type { Session } from "../../generated/schemas.js";

/** The project's file snapshots, for step boundaries; absent outside a git worktree. */
export interface StepSnapshots {
  take(): Promise<string>;
  /** Absolute paths of the files that differ between two snapshots. */
  changedFiles(from: string, to: string): Promise<string[]>;
}

export interface TurnSetup {
  session: Session;
  user: UserMessage;
  agent: string;
  model: { providerID: string; modelID: string };
  path: { cwd: string; root: string };
  snapshots?: StepSnapshots;
  /** Set on compaction turns: the reply is the session's summary. */
  summary?: boolean;
}

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    reasoning: a.reasoning + b.reasoning,
    cache: { read: a.cache.read + b.cache.read, write: a.cache.write + b.cache.write },
  };
}

export class TurnRecorder {
  /** The assistant message being written. */
  private message!: AssistantMessage;
  private stepFinished = false;
  /** The snapshot taken as the current step began. */
  private stepSnapshot: string | undefined;
  /** Text and reasoning parts still streaming, by the backend's id. */
  private readonly streaming = new Map<string, TextPart | ReasoningPart>();
  private readonly tools = new ToolCalls();
  /** What this turn cost in all, for the session's totals. */
  usage: TokenUsage = ZERO_USAGE;
  cost = 0;

  constructor(
    private readonly setup: TurnSetup,
    private readonly store: Store,
    private readonly events: SessionEvents,
  ) {}

  get current(): AssistantMessage {
    return this.message;
  }

  /** Creates the first assistant message of the turn. */
  async begin(): Promise<AssistantMessage> {
    await this.startMessage();
    return this.message;
  }

  private async startMessage(): Promise<void> {
    const { session, user, agent, model, path } = this.setup;
    this.message = {
      id: createId("msg"),
      parentID: user.id,
      role: "assistant",
      mode: agent,
      agent,
      path,
      ...(this.setup.summary ? { summary: true } : {}),
      cost: 0,
      tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
      modelID: model.modelID,
      providerID: model.providerID,
      time: { created: Date.now() },
      sessionID: session.id,
    };
    this.stepFinished = false;
    await this.saveMessage();
  }

  private async saveMessage(): Promise<void> {
    await this.store.putMessage(this.message);
    await this.events.publish(this.setup.session, "message.updated", { sessionID: this.setup.session.id, info: this.message });
  }

  private async savePart(part: Part): Promise<void> {
    await this.store.putPart(part);
    await this.events.publish(this.setup.session, "message.part.updated", { sessionID: this.setup.session.id, part, time: Date.now() });
  }

  private partBase() {
    return { id: createId("prt"), sessionID: this.setup.session.id, messageID: this.message.id };
  }

  /** Events are applied one at a time, in arrival order: tools report progress while the stream goes on. */
  private chain: Promise<void> = Promise.resolve();

  setAbortResult(callID: string, result: AbortResult): void {
    this.tools.setAbortResult(callID, result);
  }

  /** Resolves once the call's part exists (pending): a tool may ask permission from then on. */
  whenPending(callID: string): Promise<void> {
    return this.tools.whenPending(callID);
  }

  /** The call's tool is asking permission: its part turns running once the request is asked (see ToolCalls). */
  asking(callID: string, asked: Promise<void>): void {
    this.tools.asking(callID, asked);
  }

  /** Resolves once the call's part is recorded as running (see ToolCalls). */
  whenRunning(callID: string): Promise<void> {
    return this.tools.whenRunning(callID);
  }

  /** Between the steps of a turn (after tool calls): completes the current assistant message. */
  async endMessage(): Promise<void> {
    await this.chain;
    await this.endAllStreamingParts();
    await this.completeMessage();
  }

  /** Starts the next assistant message of the turn. (Backends that drive steps themselves get this from step-start.) */
  async beginMessage(): Promise<void> {
    await this.chain;
    await this.startMessage();
  }

  record(event: AgentEvent): Promise<void> {
    const next = this.chain.then(async () => {
      await ioTurn();
      await this.apply(event);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async apply(event: AgentEvent): Promise<void> {
    switch (event.type) {
      case "step-start":
        // After a step that ended in tool calls, upstream answers in a new assistant message.
        if (this.stepFinished) {
          await this.completeMessage();
          await this.startMessage();
        }
        this.stepSnapshot = await this.setup.snapshots?.take();
        await this.savePart({ ...this.partBase(), type: "step-start", ...(this.stepSnapshot ? { snapshot: this.stepSnapshot } : {}) });
        return;
      case "text-start":
      case "reasoning-start": {
        const part =
          event.type === "text-start"
            ? ({ ...this.partBase(), type: "text", text: "", time: { start: Date.now() } } satisfies TextPart)
            : ({ ...this.partBase(), type: "reasoning", text: "", time: { start: Date.now() } } satisfies ReasoningPart);
        this.streaming.set(event.id, part);
        await this.savePart(part);
        return;
      }
      case "text-delta":
      case "reasoning-delta": {
        const part = this.streaming.get(event.id);
        if (!part || !event.delta) return;
        part.text += event.delta;
        await this.store.putPart(part);
        await this.events.publish(this.setup.session, "message.part.delta", {
          sessionID: part.sessionID,
          messageID: part.messageID,
          partID: part.id,
          field: "text",
          delta: event.delta,
        });
        return;
      }
      case "text-end":
      case "reasoning-end":
        await this.endStreamingPart(event.id);
        return;
      case "tool-input-start":
      case "tool-call": {
        if (event.type === "tool-call") await this.tools.asked(event.callID);
        const part =
          event.type === "tool-input-start" ? this.tools.started(this.partBase(), event) : this.tools.called(this.partBase(), event);
        await this.savePart(part);
        this.tools.published(part);
        return;
      }
      case "tool-progress":
      case "tool-result":
      case "tool-error": {
        const part = event.type === "tool-progress" ? this.tools.progressed(event) : this.tools.finished(event);
        if (part) await this.savePart(part);
        return;
      }
      case "step-finish": {
        await this.endAllStreamingParts();
        const tokens = { total: event.usage.input + event.usage.output, ...event.usage };
        const after = await this.setup.snapshots?.take();
        await this.savePart({
          ...this.partBase(),
          type: "step-finish",
          reason: event.reason,
          ...(after ? { snapshot: after } : {}),
          cost: event.cost,
          tokens,
        });
        this.usage = addUsage(this.usage, event.usage);
        this.cost += event.cost;
        this.message = {
          ...this.message,
          cost: this.message.cost + event.cost,
          tokens: { total: (this.message.tokens.total ?? 0) + tokens.total, ...addUsage(this.message.tokens, event.usage) },
          finish: event.reason,
        };
        this.stepFinished = true;
        await this.saveMessage();
        // Files the step changed: a patch part, as upstream records after the step.
        if (this.stepSnapshot && after && after !== this.stepSnapshot) {
          const files = await this.setup.snapshots!.changedFiles(this.stepSnapshot, after);
          if (files.length) await this.savePart({ ...this.partBase(), type: "patch", hash: this.stepSnapshot, files });
        }
        return;
      }
      case "retry":
      case "todos":
        return; // the loop reports retries as session.status, and stores todos
    }
  }

  private async endStreamingPart(id: string): Promise<void> {
    const part = this.streaming.get(id);
    if (!part) return;
    this.streaming.delete(id);
    part.time = { start: part.time?.start ?? Date.now(), end: Date.now() };
    await this.savePart(part);
  }

  private async endAllStreamingParts(): Promise<void> {
    for (const id of [...this.streaming.keys()]) await this.endStreamingPart(id);
  }

  private async completeMessage(): Promise<void> {
    this.message = { ...this.message, time: { ...this.message.time, completed: Date.now() } };
    await this.saveMessage();
  }

  /** Ends the turn normally: the last assistant message is completed. */
  async complete(): Promise<AssistantMessage> {
    await this.chain;
    await this.endAllStreamingParts();
    await this.completeMessage();
    return this.message;
  }

  /**
   * Ends the turn with an error (abort included): streaming parts keep what they had, running
   * tools end in error, and the assistant message carries the error and is completed.
   */
  async fail(error: MessageError): Promise<AssistantMessage> {
    await this.chain;
    await this.endAllStreamingParts();
    for (const part of this.tools.unfinished()) {
      const onAbort = this.tools.abortResult(part.callID);
      if (onAbort && error.name === "MessageAbortedError") {
        await this.apply({ type: "tool-result", callID: part.callID, ...onAbort });
        continue;
      }
      await this.apply({
        type: "tool-error",
        callID: part.callID,
        error:
          error.name === "MessageAbortedError"
            ? "Tool execution aborted"
            : String(error.data && "message" in error.data ? error.data.message : error.name),
      });
    }
    this.message = { ...this.message, error, time: { ...this.message.time, completed: Date.now() } };
    await this.saveMessage();
    return this.message;
  }
}
