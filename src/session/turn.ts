// One turn: the reply to one user message, in one or more model calls (steps) with the tools in
// between, through the one recorder. A compaction turn asks the model for a summary of the
// conversation instead, with no tools. A turn never throws: a failure ends its message with the error.
import { ioTurn } from "./io-turns.js";
import type { Logger } from "pino";
import type { Session, UserMessage } from "../../generated/schemas.js";
import type { AgentTurn } from "../agent/agent-backend.js";
import { ZERO_USAGE } from "../agent/agent-event.js";
import { toMessageError } from "../agent/agent-errors.js";
import { loadAgents } from "../agent/agents.js";
import { sinceLastCompaction, toModelMessages, transcript, withReminders } from "../agent/llm/history.js";
import { COMPACTION_SYSTEM_PROMPT, agentSystem, compactionRequest } from "../agent/llm/system-prompt.js";
import type { ConfigSource } from "../config/config-source.js";
import type { McpService } from "../mcp/mcp-service.js";
import type { PluginHooks } from "../plugin/plugin-service.js";
import { loadSkills } from "../skill/skills.js";
import type { SessionDiffs } from "../snapshot/session-diffs.js";
import type { MessageWithParts } from "../storage/store.js";
import { toolsFor } from "../tool/registry.js";
import { chooseAgent } from "./agent-choice.js";
import { publishStatus } from "./run-status.js";
import type { SessionDeps } from "./session-deps.js";
import { sessionRules } from "./session-rules.js";
import { generateTitle, needsTitle } from "./session-title.js";
import { toolContext, type ToolContextDeps } from "./tool-context.js";
import { toolRunner, TurnState } from "./tool-runner.js";
import { turnBackend, type TurnBackendDeps } from "./turn-backend.js";
import { TurnRecorder } from "./turn-recorder.js";
import type { SubtaskRequest, SubtaskResult } from "./sub-task.js";

/** A turn ends after this many model calls even if the model keeps calling tools. */
const MAX_STEPS = 50;

export interface TurnDeps extends SessionDeps, ToolContextDeps, TurnBackendDeps {
  config: ConfigSource;
  diffs: Pick<SessionDiffs, "stepSnapshots" | "publishSummary">;
  log: Logger;
  /** MCP servers, whose tools LLM agents get. */
  mcp: Pick<McpService, "tools">;
  /** The user's plugins and custom tools. */
  plugins: PluginHooks;
  env?: NodeJS.ProcessEnv;
  /** Runs a sub-agent's task for a tool call of a turn. */
  subtask(parent: Session, user: UserMessage, request: SubtaskRequest, signal: AbortSignal): Promise<SubtaskResult>;
  /** Prompts steered into the session's running turn since its last step (taken: they join its history). */
  takeSteered?(sessionID: string): UserMessage[];
}

export interface TurnResult {
  /** The turn's last assistant message. */
  reply: MessageWithParts;
  /** The run ends here: the turn failed, or a permission was rejected without feedback. */
  failed: boolean;
}

export async function runTurn(deps: TurnDeps, session: Session, user: UserMessage, signal: AbortSignal): Promise<TurnResult> {
  const { store, events, projects } = deps;
  // A turn's set-up (history, config, agent, system prompt, tools) takes its share of the loop (./io-turns.ts).
  await ioTurn();
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
      snapshots: await deps.diffs.stepSnapshots(session.directory),
    },
    store,
    events,
  );
  await recorder.begin();
  await ioTurn();
  const config = await deps.config.forDirectory(session.directory);
  // The title request sees the prompt as the agent does, reminders included (as upstream's).
  if (!compaction && needsTitle(session, history)) void generateTitle(deps, session, withReminders(upToUser, user.agent), config);
  const status = (value: Parameters<typeof publishStatus>[2]) => publishStatus(deps, session, value);
  let retrying = false;
  let failed = false;
  const turnState = new TurnState();
  const steered = new Set<string>();
  try {
    const agent = await chooseAgent(session, config, user.agent);
    await ioTurn();
    const system = compaction
      ? [COMPACTION_SYSTEM_PROMPT]
      : [
          ...(await agentSystem({
            agentPrompt: agent.prompt,
            directory: session.directory,
            worktree: project.worktree,
            config,
            env: deps.env,
            log: deps.log,
          })),
          ...(user.system ? [user.system] : []),
        ];
    // MCP servers' and the user's own tools join upstream's tool set for the agent (a session
    // with a parent was started by `task`).
    const tools = compaction
      ? []
      : toolsFor({
          agent,
          config,
          sessionRules: session.permission,
          subtask: !!session.parentID,
          enabled: { ...agent.tools, ...user.tools },
          subagents: (await loadAgents(config, session.directory, project.worktree)).filter((a) => a.mode !== "primary" && !a.hidden),
          skills: await loadSkills(session.directory, project.worktree),
          extra: [...(await deps.mcp.tools(session.directory)), ...(await deps.plugins.tools(session.directory))],
        });
    const turnOfTool = {
      session,
      user,
      recorder,
      project,
      rules: sessionRules(agent, session),
      subtask: (request: SubtaskRequest) => deps.subtask(session, user, request, signal),
    };
    const contextOf = (callID: string | undefined, callSignal: AbortSignal) => toolContext(deps, turnOfTool, callID, callSignal);
    const turn: AgentTurn = {
      system,
      // As plugins would have the model see them (tool.definition).
      tools: await deps.plugins.toolDefinitions(session.directory, tools),
      runTool: toolRunner(deps.plugins, recorder, contextOf, turnState),
      signal,
      maxSteps: agent.steps ?? MAX_STEPS,
      // A compaction turn sees the conversation as text; others the history since the last compaction.
      // A later step also sees the prompts steered into the turn since the previous one.
      messages: async (step) => {
        if (compaction) return [{ role: "user", content: compactionRequest(transcript(sinceLastCompaction(upToUser.slice(0, -1)))) }];
        if (step > 0) for (const taken of deps.takeSteered?.(session.id) ?? []) steered.add(taken.id);
        const history = step === 0 ? upToUser : await turnHistory(deps, session.id, user.id, steered);
        return toModelMessages(withReminders(sinceLastCompaction(history), agent.name));
      },
      beforeStep: async (step) => {
        if (step > 0) {
          // Upstream's order between steps: the message completed, busy, then the next assistant message.
          await recorder.endMessage();
          await status({ type: "busy" });
          await recorder.beginMessage();
        }
        // Upstream refreshes the diff summary and reports busy at the start of every model call
        // (not of a summary's: that run's summary comes once, at its end).
        if (!compaction) await deps.diffs.publishSummary(session.id, user);
        await status({ type: "busy" });
      },
      continueAfterTools: () => !turnState.stop,
      toolContext: (callID) => contextOf(callID, signal),
    };
    const backend = turnBackend(deps, { agent, compaction, session, config, model, user });
    for await (const event of backend.runTurn(turn)) {
      if (retrying) {
        retrying = false;
        await status({ type: "busy" });
      }
      if (event.type === "retry") {
        retrying = true;
        await status({ type: "retry", attempt: event.attempt, message: event.message, next: event.next });
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
    if (retrying) await status({ type: "busy" });
    const messageError = toMessageError(error, signal);
    if (messageError.name !== "MessageAbortedError") deps.log.warn({ err: error, sessionID: session.id }, "turn failed");
    // Upstream's order: the error, idle, then the message is finalised (and idle once more at the end of the run).
    await events.publish(session, "session.error", { sessionID: session.id, error: messageError });
    await events.publish(session, "session.status", { sessionID: session.id, status: { type: "idle" } });
    await events.publish(session, "session.idle", { sessionID: session.id });
    await recorder.fail(messageError);
    failed = true;
  }
  await addToTotals(deps, session.id, recorder);
  // A rejection without feedback also ends the run (no busy, no next prompt), as upstream.
  return { reply: (await store.getMessage(session.id, recorder.current.id))!, failed: failed || turnState.stop };
}

/** The history a later step of a turn sees: everything up to its user message, the turn's replies so far and the prompts steered into it. */
async function turnHistory(
  deps: Pick<SessionDeps, "store">,
  sessionID: string,
  userID: string,
  steered: Set<string>,
): Promise<MessageWithParts[]> {
  const all = await deps.store.listMessages(sessionID);
  return all.filter((m) => m.info.id <= userID || steered.has(m.info.id) || (m.info.role === "assistant" && m.info.parentID === userID));
}

/** Adds what the turn cost to the session's totals; published with the run's closing summary, as upstream sends one session.updated there. */
async function addToTotals(deps: Pick<SessionDeps, "sessions">, sessionID: string, recorder: TurnRecorder): Promise<void> {
  const { usage, cost } = recorder;
  await deps.sessions.mutate(
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
    },
    { quiet: true },
  );
}
