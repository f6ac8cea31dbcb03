// session.shell: the user runs a shell command in the session; it is recorded as a bash tool
// call of an assistant message, with no model involved, as upstream does.
import type { OperationIO } from "../../generated/handlers.js";
import type { AssistantMessage, Config, Part, ToolPart, UserMessage } from "../../generated/schemas.js";
import { createId, createUlid } from "../id.js";
import type { MessageWithParts } from "../storage/store.js";
import { NO_WORKTREE } from "../git/worktree.js";
import { assertRunnableCommand, runShellCommand } from "../process/shell.js";
import { chooseAgent, chooseModel } from "./agent-choice.js";
import { SessionBusyError } from "../domain-errors.js";
import type { ModelRef } from "../agent/llm/models.js";
import type { ConfigSource } from "../config/config-source.js";
import type { SessionDeps } from "./session-deps.js";

export type ShellBody = NonNullable<OperationIO["session.shell"]["body"]>;

/** How often streamed output is published while the command runs. */
const OUTPUT_INTERVAL_MS = 100;

export class ShellService {
  constructor(
    private readonly deps: SessionDeps & {
      config: ConfigSource;
      /** Called when the command is done, so prompts that queued meanwhile get answered. */
      afterRun: (sessionID: string) => void;
      /** The model recorded when neither the request, the session nor `model` names one. */
      fallbackModel: (config: Config) => ModelRef | undefined;
    },
  ) {}

  run(sessionID: string, body: ShellBody): Promise<MessageWithParts> {
    const work = this.execute(sessionID, body);
    // Shutdown waits for the command to be recorded as done.
    this.deps.runs.track(
      work.then(
        () => undefined,
        () => undefined,
      ),
    );
    return work;
  }

  private async execute(sessionID: string, body: ShellBody): Promise<MessageWithParts> {
    const { store, sessions, events, runs, projects } = this.deps;
    // Before anything is recorded: a command the shell cannot even be started with.
    assertRunnableCommand(body.command);
    if (runs.isBusy(sessionID)) throw new SessionBusyError(sessionID);
    const session = await sessions.get(sessionID);
    const config: Config = await this.deps.config.forDirectory(session.directory);
    const chosen = await chooseAgent(session, config, body.agent);
    const agent = chosen.name;
    const model = chooseModel(session, config, chosen, body.model, this.deps.fallbackModel(config));
    const project = await projects.locate(session.directory);
    const signal = runs.start(sessionID);
    const publishPart = async (part: Part) => {
      await store.putPart(part);
      await events.publish(session, "message.part.updated", { sessionID, part, time: Date.now() });
    };
    const publishMessage = async (info: UserMessage | AssistantMessage) => {
      await store.putMessage(info);
      await events.publish(session, "message.updated", { sessionID, info });
    };
    try {
      await events.publish(session, "session.status", { sessionID, status: { type: "busy" } });
      const user: UserMessage = {
        id: body.messageID ?? createId("msg"),
        sessionID,
        time: { created: Date.now() },
        role: "user",
        agent,
        model: { providerID: model.providerID, modelID: model.modelID },
      };
      await publishMessage(user);
      await publishPart({
        type: "text",
        id: createId("prt"),
        messageID: user.id,
        sessionID,
        text: "The following tool was executed by the user",
        synthetic: true,
      });
      let assistant: AssistantMessage = {
        id: createId("msg"),
        sessionID,
        parentID: user.id,
        mode: agent,
        agent,
        cost: 0,
        path: { cwd: session.directory, root: project.worktree === NO_WORKTREE ? session.directory : project.worktree },
        time: { created: Date.now() },
        role: "assistant",
        tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
        modelID: model.modelID,
        providerID: model.providerID,
      };
      await publishMessage(assistant);
      const input = { command: body.command };
      const start = Date.now();
      const part: ToolPart = {
        type: "tool",
        id: createId("prt"),
        messageID: assistant.id,
        sessionID,
        tool: "bash",
        callID: createUlid(),
        state: { status: "running", time: { start }, input },
      };
      await publishPart(part);
      let published = "";
      let pending: Promise<void> = Promise.resolve();
      let last = 0;
      const result = await runShellCommand(body.command, {
        cwd: session.directory,
        signal,
        onOutput: (output) => {
          if (Date.now() - last < OUTPUT_INTERVAL_MS) return;
          last = Date.now();
          published = output;
          pending = pending.then(() =>
            publishPart({ ...part, state: { status: "running", time: { start }, input, metadata: { output } } }),
          );
        },
      });
      await pending;
      if (published !== result.output)
        await publishPart({ ...part, state: { status: "running", time: { start }, input, metadata: { output: result.output } } });
      const output = result.aborted
        ? `${result.output || "(no output)"}\n\n<shell_metadata>\nUser aborted the command\n</shell_metadata>`
        : result.output;
      // Upstream completes the message first, then the tool part.
      assistant = { ...assistant, time: { ...assistant.time, completed: Date.now() } };
      await publishMessage(assistant);
      const done: ToolPart = {
        ...part,
        state: { status: "completed", time: { start, end: Date.now() }, input, title: "", metadata: { output: result.output }, output },
      };
      await publishPart(done);
      return { info: assistant, parts: [done] };
    } finally {
      await runs.finish(sessionID);
      await events.publish(session, "session.status", { sessionID, status: { type: "idle" } });
      await events.publish(session, "session.idle", { sessionID });
      this.deps.afterRun(sessionID);
    }
  }
}
