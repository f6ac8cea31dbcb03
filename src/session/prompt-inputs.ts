// A session's inputs between admission and their turn: the queued prompt's record, the observers
// of admitted and prompted inputs (the v2 durable log), and steering: a prompt delivered as
// "steer" while a turn runs waits in the session's inbox for that turn's next step, and is
// answered with that turn's reply.
import type { UserMessage } from "../../generated/schemas.js";
import type { Logger } from "pino";
import type { MessageWithParts } from "../storage/store.js";

/** How a prompt joins a session that is running: after the run's turns, or into its running turn. */
export type Delivery = "queue" | "steer";

export interface QueuedPrompt {
  user: UserMessage;
  /** The stored message (for the input events) and how it was delivered. */
  stored?: MessageWithParts;
  delivery?: Delivery;
  directory?: string;
  settle: (reply: MessageWithParts) => void;
  /** The synthetic prompt after an automatic compaction: its reply is not compacted again. */
  afterCompaction?: boolean;
}

/**
 * What happens to a session's inputs, for the v2 durable log: admitted (stored, answered later),
 * then prompted (the run takes it: a queued prompt as its turn starts, a steered one at the
 * running turn's next step).
 */
export interface InputEvent {
  type: "admitted" | "prompted";
  /** The session's directory. */
  directory: string;
  user: MessageWithParts;
  delivery: Delivery;
}
export type InputListener = (event: InputEvent) => void | Promise<void>;

export class PromptInputs {
  /** Steered prompts waiting for the running turn's next step, and those a turn took (answered with it). */
  private readonly steered = new Map<string, QueuedPrompt[]>();
  private readonly taken = new Map<string, QueuedPrompt[]>();
  /** Sessions whose run is inside a turn that can still take steered prompts. */
  private readonly inTurn = new Set<string>();
  private readonly listeners = new Set<InputListener>();

  constructor(private readonly log: Pick<Logger, "error">) {}

  /** Listens to admitted and prompted inputs (the v2 durable log). */
  observe(listener: InputListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the observers an input was admitted or prompted. */
  async announce(type: InputEvent["type"], item: QueuedPrompt): Promise<void> {
    if (!item.stored || !item.directory) return;
    for (const listener of this.listeners) {
      try {
        await listener({ type, directory: item.directory, user: item.stored, delivery: item.delivery ?? "queue" });
      } catch (error) {
        this.log.error({ err: error, sessionID: item.user.sessionID }, "an input listener failed");
      }
    }
  }

  /** Puts a steered prompt in the running turn's inbox; false when no turn runs (it queues then). */
  steer(sessionID: string, item: QueuedPrompt): boolean {
    if (!this.inTurn.has(sessionID)) return false;
    const steered = this.steered.get(sessionID) ?? [];
    this.steered.set(sessionID, steered);
    steered.push(item);
    return true;
  }

  /** The steered prompts the running turn takes at its next step (in order of admission). */
  take(sessionID: string): UserMessage[] {
    const items = this.steered.get(sessionID)?.splice(0) ?? [];
    if (!items.length) return [];
    const taken = this.taken.get(sessionID) ?? [];
    this.taken.set(sessionID, taken);
    taken.push(...items);
    for (const item of items) void this.announce("prompted", item);
    return items.map((item) => item.user);
  }

  /** Steered prompts that came after the turn's last step: the run answers them next. */
  late(sessionID: string): QueuedPrompt[] {
    return this.steered.get(sessionID)?.splice(0) ?? [];
  }

  /** Runs a turn that takes steered prompts at its step boundaries; they are answered with its reply. */
  async duringTurn<T extends { reply: MessageWithParts }>(sessionID: string, turn: () => Promise<T>): Promise<T> {
    this.inTurn.add(sessionID);
    let result: T;
    try {
      result = await turn();
    } finally {
      this.inTurn.delete(sessionID);
    }
    for (const steer of this.taken.get(sessionID)?.splice(0) ?? []) steer.settle(result.reply);
    return result;
  }
}
