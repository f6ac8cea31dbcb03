// The prompt loop. A prompt stores the user's message first, then joins the session's queue; one
// run at a time per session answers the queue in order. Each turn goes through the one recorder;
// every run is finalised (done, error or abort) and ends with session.status idle + session.idle.
import type { OperationIO } from "../../generated/handlers.js";
import type { AssistantMessage, Config, Part, PermissionRuleset, Session, SessionStatus, UserMessage } from "../../generated/schemas.js";
import { ZERO_USAGE } from "../agent/agent-event.js";
import { toMessageError } from "../agent/agent-errors.js";
import { expandFilePart, sinceLastCompaction, toModelMessages, transcript, withReminders } from "../agent/llm/history.js";
import type { AgentTurn } from "../agent/agent-backend.js";
import { LlmBackend } from "../agent/llm/llm-backend.js";
import { toolsFor } from "../tool/registry.js";
import type { ToolContext } from "../tool/tool.js";
import type { PermissionService } from "../permission/permission-service.js";
import { AcpBackend, type AcpPool } from "../agent/acp/acp-backend.js";
import { TeamBackend } from "../agent/team/team-backend.js";
import { loadAgents, type AgentDefinition } from "../agent/agents.js";
import { sessionRules } from "./session-rules.js";
import { loadSkills } from "../skill/skills.js";
import type { McpService } from "../mcp/mcp-service.js";
import type { PluginHooks } from "../plugin/plugin-service.js";
import type { QuestionService } from "../question/question-service.js";
import type { ProjectLocation } from "../project/projects.js";
import { fallbackModel, listProviders } from "../provider/provider-list.js";
import { samplingOf } from "../provider/sampling.js";
import { toolRunner, TurnState } from "./tool-runner.js";
import { finaliseInterruptedRuns } from "./run-recovery.js";
import { generateTitle, needsTitle } from "./session-title.js";
import type { ConfigSource } from "../config/config-source.js";
import { autoCompaction, CONTINUE_AFTER_COMPACTION, isOverflow } from "./overflow.js";
import { ModelNotFoundError, requestOptions, resolveModel, type Credentials, type ModelRef } from "../agent/llm/models.js";
import { COMPACTION_SYSTEM_PROMPT, agentSystem, compactionRequest } from "../agent/llm/system-prompt.js";
import { createId } from "../id.js";
import type { MessageWithParts } from "../storage/store.js";
import type { Logger } from "pino";
import { TurnRecorder } from "./turn-recorder.js";
import { chooseAgent, chooseModel } from "./agent-choice.js";
import type { SessionDiffs } from "../snapshot/session-diffs.js";
import type { RevertService } from "./revert-service.js";
import type { SessionLifecycle } from "./session-lifecycle.js";
import type { SessionDeps } from "./session-deps.js";

/** A turn ends after this many model calls even if the model keeps calling tools. */
const MAX_STEPS = 50;

export type PromptBody = NonNullable<OperationIO["session.prompt"]["body"]>;

export interface PromptServiceOptions {
  /** Waits between retries of a failing provider (tests shorten them). */
  retryDelaysMs?: number[];
  env?: NodeJS.ProcessEnv;
  credentials?: Credentials;
}

interface QueuedPrompt {
  user: UserMessage;
  settle: (reply: MessageWithParts) => void;
  /** The synthetic prompt after an automatic compaction: its reply is not compacted again. */
  afterCompaction?: boolean;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export class PromptService {
  private readonly queues = new Map<string, QueuedPrompt[]>();
  private readonly runsByID = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: SessionDeps & {
      config: ConfigSource;
      diffs: SessionDiffs;
      reverts: RevertService;
      permissions: PermissionService;
      questions: QuestionService;
      lifecycle: Pick<SessionLifecycle, "stop">;
      log: Logger;
      /** External (ACP) agents' processes and sessions. */
      acp: AcpPool;
      /** MCP servers, whose tools LLM agents get. */
      mcp: Pick<McpService, "tools">;
      /** The user's plugins and custom tools. */
      plugins: PluginHooks;
    },
    private readonly options: PromptServiceOptions = {},
  ) {}

  /** Finalises the runs a previous process left open (it was killed mid-run). */
  finaliseInterruptedRuns(): Promise<number> {
    return finaliseInterruptedRuns(this.deps);
  }

  /**
   * Stores the prompt as a user message and queues it. Resolves, once answered, with the last
   * assistant message of its turn (or with the user message itself for noReply).
   */
  async prompt(sessionID: string, body: PromptBody): Promise<{ queued: Promise<MessageWithParts> }> {
    const { sessions } = this.deps;
    let session = await sessions.get(sessionID);
    const config = await this.deps.config.forDirectory(session.directory);
    const chosen = await chooseAgent(session, config, body.agent);
    const agent = chosen.name;
    const model = chooseModel(session, config, chosen, body.model, this.fallbackModel(config));
    // A stored prompt that nothing answers (noReply) needs no model that runs.
    if (!chosen.external && !body.noReply) this.assertModelExists(config, model, session.directory);

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
    const user = await this.storeUserMessage(session, body, agent, model);
    if (!compaction)
      session = await sessions.mutate(sessionID, (current) => ({ ...current, time: { ...current.time, updated: Date.now() } }));
    if (body.noReply) return { queued: Promise.resolve(user) };

    const reply = deferred<MessageWithParts>();
    const queue = this.queues.get(sessionID) ?? [];
    this.queues.set(sessionID, queue);
    queue.push({ user: user.info as UserMessage, settle: reply.resolve });
    this.resumeQueue(sessionID);
    return { queued: reply.promise };
  }

  private async storeUserMessage(session: Session, body: PromptBody, agent: string, model: ModelRef): Promise<MessageWithParts> {
    const { store, events } = this.deps;
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
    await this.deps.plugins.chatMessage(session.directory, hookInput, { message: info, parts });
    await store.putMessage(info);
    await events.publish(session, "message.updated", { sessionID: session.id, info });
    for (const part of parts) {
      await store.putPart(part);
      await events.publish(session, "message.part.updated", { sessionID: session.id, part, time: Date.now() });
    }
    return { info, parts };
  }

  private async status(session: Session, status: SessionStatus): Promise<void> {
    this.deps.runs.setStatus(session.id, status);
    await this.deps.events.publish(session, "session.status", { sessionID: session.id, status });
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
      await this.status(session, { type: "busy" });
      while (queue.length && !signal.aborted) {
        // A prompt that came in after the previous turn: that turn was not the last one after all.
        answerAtEnd?.item.settle(answerAtEnd.reply);
        answerAtEnd = undefined;
        const item = queue.shift()!;
        const result = await this.turn(session, item.user, signal);
        last = result.reply;
        // Past the model's context: a compaction turn, then a prompt to carry on, as upstream.
        const continuation = result.failed ? undefined : await this.compactIfOverflowing(session, item, result.reply, signal);
        if (continuation) {
          queue.unshift(continuation);
          session = await this.deps.sessions.get(sessionID);
          await this.status(session, { type: "busy" });
          continue;
        }
        if (queue.length && !result.failed) item.settle(last);
        else answerAtEnd = { item, reply: last };
        session = await this.deps.sessions.get(sessionID);
        // A failed turn (abort, provider error) ends the run and drops the queue, as upstream.
        if (result.failed) break;
        // Upstream reports busy once more as it looks for the next prompt.
        await this.status(session, { type: "busy" });
      }
    } catch (error) {
      this.deps.log.error({ err: error, sessionID }, "prompt loop failed");
    } finally {
      // An abort drops what is still queued: those user messages stay, unanswered.
      for (const item of queue.splice(0)) item.settle(last ?? { info: item.user, parts: [] });
      this.deps.runs.finish(sessionID);
      try {
        const current = (await this.deps.store.getSession(sessionID)) ?? session;
        await this.deps.events.publish(current, "session.status", { sessionID, status: { type: "idle" } });
        await this.deps.events.publish(current, "session.idle", { sessionID });
        const answered = last && (await this.userOf(last));
        if (answered) await this.deps.diffs.publishSummary(sessionID, answered);
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
    if (!autoCompaction(config, this.options.env)) return undefined;
    const list = listProviders(config, this.options.env ?? process.env, this.options.credentials);
    const model = list.byID.get(info.providerID)?.models[info.modelID];
    if (!model || !isOverflow(info.tokens, model)) return undefined;
    const ref = { providerID: item.user.model.providerID, modelID: item.user.model.modelID };
    const body = { parts: [{ type: "compaction", auto: true }] } as unknown as PromptBody;
    const compaction = await this.storeUserMessage(session, body, item.user.agent, ref);
    const summary = await this.turn(session, compaction.info as UserMessage, signal);
    if (summary.failed || signal.aborted) return undefined;
    const text = { parts: [{ type: "text", text: CONTINUE_AFTER_COMPACTION, synthetic: true }] } as PromptBody;
    const next = await this.storeUserMessage(await this.deps.sessions.get(session.id), text, item.user.agent, ref);
    return { user: next.info as UserMessage, settle: item.settle, afterCompaction: true };
  }

  /** One turn: the reply to one user message, possibly several steps. Never throws. */
  private async turn(session: Session, user: UserMessage, signal: AbortSignal): Promise<{ reply: MessageWithParts; failed: boolean }> {
    const { store, events, projects } = this.deps;
    const project = await projects.locate(session.directory);
    const model = { providerID: user.model.providerID, modelID: user.model.modelID };
    const history = await store.listMessages(session.id);
    const upToUser = history.slice(0, history.findIndex((m) => m.info.id === user.id) + 1);
    const compaction = upToUser.at(-1)!.parts.some((p) => p.type === "compaction");
    const recorder = new TurnRecorder(
      {
        session,
        user,
        agent: compaction ? "compaction" : user.agent,
        summary: compaction,
        model,
        path: { cwd: session.directory, root: project.worktree === "/" ? session.directory : project.worktree },
        snapshots: await this.deps.diffs.stepSnapshots(session.directory),
      },
      store,
      events,
    );
    await recorder.begin();
    const config = await this.deps.config.forDirectory(session.directory);
    if (!compaction && needsTitle(session, history)) {
      const options = { env: this.options.env, credentials: this.options.credentials, fallback: this.fallbackModel(config) };
      // The title request sees the prompt as the agent does, reminders included (as upstream's).
      void generateTitle(this.deps, options, session, withReminders(upToUser, user.agent), config);
    }
    let retrying = false;
    let failed = false;
    const turnState = new TurnState();
    try {
      // A compaction turn asks for a summary of the conversation before it, with no tools.
      const agent = await chooseAgent(session, config, user.agent);
      const system = compaction
        ? [COMPACTION_SYSTEM_PROMPT]
        : [
            ...(await agentSystem({
              agentPrompt: agent.prompt,
              directory: session.directory,
              worktree: project.worktree,
              config,
              env: this.options.env,
              log: this.deps.log,
            })),
            ...(user.system ? [user.system] : []),
          ];
      const subagents = (await loadAgents(config, session.directory, project.worktree)).filter((a) => a.mode !== "primary" && !a.hidden);
      const skills = await loadSkills(session.directory, project.worktree);
      const enabled = { ...agent.tools, ...user.tools };
      const extraTools = compaction
        ? []
        : [...(await this.deps.mcp.tools(session.directory)), ...(await this.deps.plugins.tools(session.directory))];
      // MCP servers' and the user's own tools join the built-in ones; upstream's tool set for the agent
      // (a session with a parent was started by `task`).
      const tools = compaction
        ? []
        : toolsFor({
            agent,
            config,
            sessionRules: session.permission,
            subtask: !!session.parentID,
            enabled,
            subagents,
            skills,
            extra: extraTools,
          });
      const rules = sessionRules(agent, config, session);
      const contextOf = (callID: string | undefined, callSignal: AbortSignal) =>
        this.toolContext({ session, user, recorder, project, rules }, callID, callSignal);
      const runTool = toolRunner(this.deps.plugins, recorder, contextOf, turnState);
      const backend = this.backendFor(agent, compaction, session, config, model, user);
      const turn: AgentTurn = {
        system,
        // As plugins would have the model see them (tool.definition).
        tools: await this.deps.plugins.toolDefinitions(session.directory, tools),
        runTool,
        signal,
        maxSteps: agent.steps ?? MAX_STEPS,
        // A compaction turn sees the conversation as text; others the history since the last compaction.
        messages: async (step) =>
          compaction
            ? [{ role: "user", content: compactionRequest(transcript(sinceLastCompaction(upToUser.slice(0, -1)))) }]
            : toModelMessages(
                withReminders(sinceLastCompaction(step === 0 ? upToUser : await this.turnHistory(session.id, user.id)), agent.name),
              ),
        beforeStep: async (step) => {
          if (step > 0) {
            // Upstream's order between steps: the message completed, busy, then the next assistant message.
            await recorder.endMessage();
            await this.status(session, { type: "busy" });
            await recorder.beginMessage();
          }
          // Upstream refreshes the diff summary and reports busy at the start of every model call
          // (not of a summary's: that run's summary comes once, at its end).
          if (!compaction) await this.deps.diffs.publishSummary(session.id, user);
          await this.status(session, { type: "busy" });
        },
        continueAfterTools: () => !turnState.stop,
        toolContext: (callID) => contextOf(callID, signal),
      };
      for await (const event of backend.runTurn(turn)) {
        if (retrying) {
          retrying = false;
          await this.status(session, { type: "busy" });
        }
        if (event.type === "retry") {
          retrying = true;
          await this.status(session, { type: "retry", attempt: event.attempt, message: event.message, next: event.next });
          continue;
        }
        if (event.type === "todos") {
          await store.putTodos(session.id, event.todos);
          await events.publish(session, "todo.updated", { sessionID: session.id, todos: event.todos });
          continue;
        }
        await recorder.record(event);
      }
      await recorder.complete();
      if (compaction) await events.publish(session, "session.compacted", { sessionID: session.id });
    } catch (error) {
      if (retrying) await this.status(session, { type: "busy" });
      const messageError = toMessageError(error, signal);
      if (messageError.name !== "MessageAbortedError") this.deps.log.warn({ err: error, sessionID: session.id }, "turn failed");
      // Upstream's order: the error, idle, then the message is finalised (and idle once more at the end of the run).
      await events.publish(session, "session.error", { sessionID: session.id, error: messageError });
      await events.publish(session, "session.status", { sessionID: session.id, status: { type: "idle" } });
      await events.publish(session, "session.idle", { sessionID: session.id });
      await recorder.fail(messageError);
      failed = true;
    }
    await this.addToTotals(session.id, recorder);
    // A rejection without feedback also ends the run (no busy, no next prompt), as upstream.
    return { reply: (await store.getMessage(session.id, recorder.current.id))!, failed: failed || turnState.stop };
  }

  /** The history a later step of a turn sees: everything up to its user message, and the turn's replies so far. */
  private async turnHistory(sessionID: string, userID: string): Promise<MessageWithParts[]> {
    const all = await this.deps.store.listMessages(sessionID);
    return all.filter((m) => m.info.id <= userID || (m.info.role === "assistant" && m.info.parentID === userID));
  }

  /** The backend that runs a turn: the agent's own process for an external (ACP) agent, else the model. */
  private backendFor(agent: AgentDefinition, compaction: boolean, session: Session, config: Config, model: ModelRef, user: UserMessage) {
    if (agent.external && !compaction)
      return new AcpBackend(this.deps.acp, { ...agent, external: agent.external }, session.id, session.directory);
    if (agent.team && !compaction) return new TeamBackend({ ...agent, team: agent.team });
    const resolved = resolveModel(config, model, this.options.env, this.options.credentials, session.directory);
    return new LlmBackend(resolved, {
      providerOptions: requestOptions(resolved, user.model.variant, agent.options),
      retryDelaysMs: this.options.retryDelaysMs,
      headers: {
        "x-session-id": session.id,
        "x-session-affinity": session.id,
        // Providers route and cache a sub-agent's requests with its parent's.
        ...(session.parentID ? { "x-parent-session-id": session.parentID } : {}),
      },
      sampling: samplingOf(resolved.info, agent),
      adjustCall: this.deps.plugins.modelCall(session.directory, {
        sessionID: session.id,
        agent: agent.name,
        model: resolved.info,
        provider: resolved.provider,
        optionsKey: resolved.optionsKey,
        message: user,
      }),
    });
  }

  /** What a tool call (or an external agent's request) of this turn works with: its progress, permissions, questions. */
  private toolContext(
    turn: { session: Session; user: UserMessage; recorder: TurnRecorder; project: ProjectLocation; rules: PermissionRuleset },
    callID: string | undefined,
    signal: AbortSignal,
  ): ToolContext {
    const { session, user, recorder, project, rules } = turn;
    const { store, events, permissions, questions } = this.deps;
    // What the tool publishes or reports waits until its part is running; a permission request
    // does not (upstream asks while the part is still pending).
    const running = callID ? recorder.whenRunning(callID) : Promise.resolve();
    const afterRunning = (work: () => Promise<unknown>) => void running.then(work).catch(() => undefined);
    const tool = callID ? { messageID: recorder.current.id, callID } : undefined;
    return {
      sessionID: session.id,
      messageID: recorder.current.id,
      callID: callID ?? "",
      agent: user.agent,
      directory: session.directory,
      worktree: project.worktree,
      signal,
      progress: (update) => {
        if (callID) afterRunning(() => recorder.record({ type: "tool-progress", callID, ...update }));
      },
      onAbort: (result) => {
        if (callID) recorder.setAbortResult(callID, result);
      },
      publish: (type, properties) => afterRunning(() => events.publish(session, type, properties)),
      ask: (request) =>
        permissions.ask({ ...request, sessionID: session.id, projectID: project.id, ...(tool ? { tool } : {}), rules, signal }),
      question: (list) => questions.ask(session.id, list, tool ?? { messageID: recorder.current.id, callID: "" }, signal),
      todos: { get: () => store.getTodos(session.id), set: (todos) => store.putTodos(session.id, todos) },
      subtask: (request) => this.subtask(session, user, request, signal),
    };
  }

  /**
   * A sub-agent's task: a child session (titled as upstream titles it, with no further tasks
   * allowed) answers the prompt with the sub-agent; aborting the parent aborts it.
   */
  private async subtask(
    parent: Session,
    user: UserMessage,
    request: Parameters<ToolContext["subtask"]>[0],
    signal: AbortSignal,
  ): Promise<{ sessionID: string; text: string; error?: string; model: ModelRef }> {
    const { sessions, lifecycle } = this.deps;
    // A sub-agent with a model of its own (a team member, say) runs with it; others with the parent's.
    const own = (await chooseAgent(parent, await this.deps.config.forDirectory(parent.directory), request.agent)).model;
    const existing = request.sessionID ? await this.deps.store.getSession(request.sessionID) : undefined;
    const child =
      existing?.parentID === parent.id
        ? existing
        : await sessions.create(parent.directory, {
            parentID: parent.id,
            title: `${request.description} (@${request.agent} subagent)`,
            permission: [{ permission: "task", pattern: "*", action: "deny" }],
          });
    const model = own ?? { providerID: user.model.providerID, modelID: user.model.modelID };
    request.started?.({ sessionID: child.id, model });
    const { queued } = await this.prompt(child.id, { agent: request.agent, model, parts: [{ type: "text", text: request.prompt }] });
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

  /** The user message a reply answers. */
  private async userOf(reply: MessageWithParts): Promise<UserMessage | undefined> {
    if (reply.info.role === "user") return reply.info;
    const { parentID, sessionID } = reply.info;
    return parentID ? ((await this.deps.store.getMessage(sessionID, parentID))?.info as UserMessage | undefined) : undefined;
  }

  private async addToTotals(sessionID: string, recorder: TurnRecorder): Promise<void> {
    const { usage, cost } = recorder;
    await this.deps.sessions.mutate(
      sessionID,
      (session) => {
        const tokens = session.tokens ?? ZERO_USAGE;
        return {
          ...session,
          cost: (session.cost ?? 0) + cost,
          tokens: {
            input: tokens.input + usage.input,
            output: tokens.output + usage.output,
            reasoning: tokens.reasoning + usage.reasoning,
            cache: { read: tokens.cache.read + usage.cache.read, write: tokens.cache.write + usage.cache.write },
          },
          time: { ...session.time, updated: Date.now() },
        };
        // Published with the run's closing summary, as upstream sends one session.updated there.
      },
      { quiet: true },
    );
  }

  /** Refuses a model no connected provider offers (ModelNotFoundError) before anything is stored; a run would only fail. */
  private assertModelExists(config: Config, ref: ModelRef, directory: string): void {
    try {
      resolveModel(config, ref, this.options.env, this.options.credentials, directory);
    } catch (error) {
      if (error instanceof ModelNotFoundError) throw error;
      // Anything else (no key, a missing package) ends the run with that error, where the user sees it.
    }
  }

  /** The model of a prompt that names none while `model` is not configured: the first usable one, else the demo script. */
  fallbackModel(config: Config): ModelRef | undefined {
    return fallbackModel(listProviders(config, this.options.env ?? process.env, this.options.credentials), config);
  }
}
