// The prompt loop. A prompt stores the user's message first, then joins the session's queue; one
// run at a time per session answers the queue in order. Each turn goes through the one recorder;
// every run is finalised (done, error or abort) and ends with session.status idle + session.idle.
import { existsSync } from "node:fs";
import type { AssistantMessage, Session, UserMessage } from "../../generated/schemas.js";
import type { ModelRef } from "../agent/llm/models.js";
import type { MessageWithParts } from "../storage/store.js";
import { InvalidRequestError } from "../domain-errors.js";
import { chooseAgent, chooseModel } from "./agent-choice.js";
import { autoCompaction, CONTINUE_AFTER_COMPACTION, isOverflow } from "./overflow.js";
import type { RevertService } from "./revert-service.js";
import { publishStatus } from "./run-status.js";
import type { RunSlots } from "./run-slots.js";
import { runSubtask } from "./sub-task.js";
import { runTurn, type TurnDeps } from "./turn.js";
import type { SessionLifecycle } from "./session-lifecycle.js";
import { storeUserMessage, type PromptBody } from "./user-message.js";
import { PromptInputs, type Delivery, type InputListener, type QueuedPrompt } from "./prompt-inputs.js";

export type { PromptBody } from "./user-message.js";

/**
 * A run works in its session's directory. In a pool every node must see the served directories
 * at the same paths (a shared volume): a node that cannot see it says so, rather than running the
 * prompt somewhere else.
 */
function assertDirectoryVisible(directory: string): void {
  if (!existsSync(directory))
    throw new InvalidRequestError(
      `The session's directory ${directory} does not exist on this server; every node of a pool must see the served directories at the same paths`,
    );
}
export type { Delivery } from "./prompt-inputs.js";

export interface PromptServiceDeps extends Omit<TurnDeps, "subtask"> {
  reverts: Pick<RevertService, "commit">;
  lifecycle: Pick<SessionLifecycle, "stop">;
  /** Caps on concurrent runs per agent and provider across the pool; none when no cap is set. */
  slots?: Pick<RunSlots, "hold" | "release">;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export class PromptService {
  private readonly queues = new Map<string, QueuedPrompt[]>();
  private readonly runsByID = new Map<string, Promise<void>>();
  private readonly inputs: PromptInputs;

  /** What a turn needs, sub-agent tasks (which prompt a child session here) included. */
  private readonly turnDeps: TurnDeps;

  constructor(private readonly deps: PromptServiceDeps) {
    this.inputs = new PromptInputs(deps.log);
    const subtaskDeps = { ...deps, prompt: (sessionID: string, body: PromptBody) => this.prompt(sessionID, body) };
    this.turnDeps = {
      ...deps,
      subtask: (parent, user, request, signal) => runSubtask(subtaskDeps, parent, user, request, signal),
      takeSteered: (sessionID) => this.inputs.take(sessionID),
    };
  }

  /** Listens to admitted and prompted inputs (the v2 durable log). */
  observeInputs(listener: InputListener): () => void {
    return this.inputs.observe(listener);
  }

  /**
   * Stores the prompt as a user message and queues it. Resolves, once answered, with the last
   * assistant message of its turn (or with the user message itself for noReply).
   */
  async prompt(sessionID: string, body: PromptBody, options: { delivery?: Delivery } = {}): Promise<{ queued: Promise<MessageWithParts> }> {
    const { sessions } = this.deps;
    let session = await sessions.get(sessionID);
    assertDirectoryVisible(session.directory);
    const config = await this.deps.config.forDirectory(session.directory);
    const chosen = await chooseAgent(session, config, body.agent);
    const agent = chosen.name;
    const model = chooseModel(session, config, chosen, body.model, this.deps.models.fallback(config));
    // A stored prompt that nothing answers (noReply) needs no model that runs.
    if (!chosen.external && !body.noReply) this.deps.models.assertExists(config, model, session.directory);

    // A summary request leaves the session as it is (upstream publishes no session.updated for it).
    const compaction = body.parts.some((part) => (part as { type: string }).type === "compaction");
    const switched = session.agent !== agent || session.model?.id !== model.modelID || session.model?.providerID !== model.providerID;
    if (switched && !compaction) {
      const chosen = { id: model.modelID, providerID: model.providerID, variant: body.variant ?? "default" };
      session = await sessions.mutate(sessionID, (current) => ({
        ...current,
        agent,
        model: chosen,
        time: { ...current.time, updated: Date.now() },
      }));
    }
    if (session.revert) {
      await this.deps.reverts.commit(sessionID);
      session = await sessions.get(sessionID);
    }
    const user = await storeUserMessage(this.deps, session, body, agent, model);
    if (!compaction)
      session = await sessions.mutate(sessionID, (current) => ({ ...current, time: { ...current.time, updated: Date.now() } }));
    const delivery = options.delivery ?? "queue";
    const inputs = compaction ? undefined : { stored: user, delivery, directory: session.directory };
    if (inputs) await this.inputs.announce("admitted", { user: user.info as UserMessage, settle: () => undefined, ...inputs });
    if (body.noReply) {
      if (inputs) await this.inputs.announce("prompted", { user: user.info as UserMessage, settle: () => undefined, ...inputs });
      return { queued: Promise.resolve(user) };
    }

    const reply = deferred<MessageWithParts>();
    const item: QueuedPrompt = { user: user.info as UserMessage, settle: reply.resolve, ...inputs };
    // Steered into the running turn, which takes it at its next step; with no turn running, queued.
    if (delivery === "steer" && this.inputs.steer(sessionID, item)) return { queued: reply.promise };
    const queue = this.queues.get(sessionID) ?? [];
    this.queues.set(sessionID, queue);
    queue.push(item);
    this.resumeQueue(sessionID);
    return { queued: reply.promise };
  }

  /**
   * session.summarize: a user message with a compaction part, answered by the compaction agent
   * with a summary that stands in for the history before it. Resolves when done.
   */
  async summarize(sessionID: string, model: ModelRef): Promise<MessageWithParts> {
    const { queued } = await this.prompt(sessionID, { model, parts: [{ type: "compaction", auto: false } as never] });
    return queued;
  }

  /** Starts answering prompts that queued while something else (a shell command) ran. */
  resumeQueue(sessionID: string): void {
    if (!this.queues.get(sessionID)?.length || this.deps.runs.isBusy(sessionID)) return;
    const run = this.drain(sessionID).finally(() => {
      if (this.runsByID.get(sessionID) === run) this.runsByID.delete(sessionID);
    });
    this.runsByID.set(sessionID, run);
    this.deps.runs.track(run);
  }

  /** Resolves when the session's current run, events and bookkeeping included, is over. */
  async whenRunEnds(sessionID: string): Promise<void> {
    await this.runsByID.get(sessionID);
  }

  /** The run: answers the queue in order until it is empty or aborted. */
  private async drain(sessionID: string): Promise<void> {
    const queue = this.queues.get(sessionID)!;
    const signal = this.deps.runs.start(sessionID);
    let session = await this.deps.sessions.get(sessionID);
    let last: MessageWithParts | undefined;
    // The run's last reply is answered after session.idle, as upstream answers a prompt once its
    // loop is over: a client that stops reading events when its reply arrives (`opencode run`)
    // has then seen every event of the run.
    let answerAtEnd: { item: QueuedPrompt; reply: MessageWithParts } | undefined;
    try {
      await publishStatus(this.deps, session, { type: "busy" });
      await this.deps.runs.whenLeased(sessionID); // another node's run of the session ends first
      while (queue.length && !signal.aborted) {
        // Capped agent or provider: waits (still busy) for a slot of each before calling the model.
        if (this.deps.slots && !(await this.deps.slots.hold(session, queue[0]!.user, signal))) break;
        // A prompt that came in after the previous turn: that turn was not the last one after all.
        answerAtEnd?.item.settle(answerAtEnd.reply);
        answerAtEnd = undefined;
        const item = queue.shift()!;
        await this.inputs.announce("prompted", item);
        const result = await this.inputs.duringTurn(sessionID, () => runTurn(this.turnDeps, session, item.user, signal));
        last = result.reply;
        // Steered after the turn's last step: the run answers them next, before the queue (as upstream).
        const late = this.inputs.late(sessionID);
        if (late.length && !result.failed && !signal.aborted) {
          for (const steer of late) await this.inputs.announce("prompted", steer);
          queue.unshift({ ...late.at(-1)!, settle: (reply) => late.forEach((steer) => steer.settle(reply)), stored: undefined });
        } else queue.push(...late);
        // Past the model's context: a compaction turn, then a prompt to carry on, as upstream.
        const continuation = result.failed ? undefined : await this.compactIfOverflowing(session, item, result.reply, signal);
        if (continuation) {
          queue.unshift(continuation);
          session = await this.deps.sessions.get(sessionID);
          await publishStatus(this.deps, session, { type: "busy" });
          continue;
        }
        if (queue.length && !result.failed) item.settle(last);
        else answerAtEnd = { item, reply: last };
        session = await this.deps.sessions.get(sessionID);
        // A failed turn (abort, provider error) ends the run and drops the queue, as upstream.
        if (result.failed) break;
        // Upstream reports busy once more as it looks for the next prompt.
        await publishStatus(this.deps, session, { type: "busy" });
      }
    } catch (error) {
      this.deps.log.error({ err: error, sessionID }, "prompt loop failed");
    } finally {
      // An abort drops what is still queued: those user messages stay, unanswered.
      for (const item of queue.splice(0)) item.settle(last ?? { info: item.user, parts: [] });
      if (this.deps.slots) await this.deps.slots.release(sessionID); // the next run in line may go
      await this.deps.runs.finish(sessionID);
      try {
        const current = (await this.deps.store.getSession(sessionID)) ?? session;
        await this.deps.events.publish(current, "session.status", { sessionID, status: { type: "idle" } });
        await this.deps.events.publish(current, "session.idle", { sessionID });
        const answered = last && (await this.userOf(last));
        if (answered) await this.deps.diffs.publishSummary(sessionID, answered, last);
      } catch (error) {
        this.deps.log.error({ err: error, sessionID }, "finishing the run failed");
      } finally {
        answerAtEnd?.item.settle(answerAtEnd.reply);
      }
    }
  }

  /**
   * When the reply's last step passed the model's usable context: summarises the conversation
   * (a user message with an automatic compaction part, answered by the compaction agent) and
   * returns the synthetic prompt that makes the agent carry on, answering the original request.
   */
  private async compactIfOverflowing(
    session: Session,
    item: QueuedPrompt,
    reply: MessageWithParts,
    signal: AbortSignal,
  ): Promise<QueuedPrompt | undefined> {
    const info = reply.info as AssistantMessage;
    if (info.role !== "assistant" || info.summary || item.afterCompaction || signal.aborted) return undefined;
    const config = await this.deps.config.forDirectory(session.directory);
    if (!autoCompaction(config, this.deps.env)) return undefined;
    const model = this.deps.models.providers(config).byID.get(info.providerID)?.models[info.modelID];
    if (!model || !isOverflow(info.tokens, model)) return undefined;
    const ref = { providerID: item.user.model.providerID, modelID: item.user.model.modelID };
    const body = { parts: [{ type: "compaction", auto: true }] } as unknown as PromptBody;
    const compaction = await storeUserMessage(this.deps, session, body, item.user.agent, ref);
    const summary = await runTurn(this.turnDeps, session, compaction.info as UserMessage, signal);
    if (summary.failed || signal.aborted) return undefined;
    const text = { parts: [{ type: "text", text: CONTINUE_AFTER_COMPACTION, synthetic: true }] } as PromptBody;
    const next = await storeUserMessage(this.deps, await this.deps.sessions.get(session.id), text, item.user.agent, ref);
    return { user: next.info as UserMessage, settle: item.settle, afterCompaction: true };
  }

  /** The user message a reply answers. */
  private async userOf(reply: MessageWithParts): Promise<UserMessage | undefined> {
    if (reply.info.role === "user") return reply.info;
    const { parentID, sessionID } = reply.info;
    return parentID ? ((await this.deps.store.getMessage(sessionID, parentID))?.info as UserMessage | undefined) : undefined;
  }
}
