// session.command and session.init: a command's template, filled with the arguments, sent as a
// prompt; once answered, command.executed is published, as upstream does.
import type { OperationIO } from "../../generated/handlers.js";
import { parseModelRef } from "../agent/llm/models.js";
import { expandTemplate, findCommand } from "../command/commands.js";
import { InvalidRequestError } from "../domain-errors.js";
import type { MessageWithParts } from "../storage/store.js";
import type { PromptBody, PromptService } from "./prompt-service.js";
import type { ConfigSource } from "../config/config-source.js";
import type { SessionEvents } from "./session-events.js";
import type { SessionService } from "./session-service.js";
import type { PluginHooks } from "../plugin/plugin-service.js";

export type CommandBody = NonNullable<OperationIO["session.command"]["body"]>;

export class CommandService {
  constructor(
    private readonly deps: {
      prompts: PromptService;
      sessions: SessionService;
      events: SessionEvents;
      config: ConfigSource;
      plugins?: Pick<PluginHooks, "commandParts">;
    },
  ) {}

  async run(sessionID: string, body: CommandBody): Promise<MessageWithParts> {
    const session = await this.deps.sessions.get(sessionID);
    const config = await this.deps.config.forDirectory(session.directory);
    const command = await findCommand(config, session.directory, body.command);
    if (!command) throw new InvalidRequestError(`Command not found: ${body.command}`, "command");
    const modelText = body.model ?? command.model;
    const model = modelText ? parseModelRef(modelText) : undefined;
    if (modelText && !model) throw new InvalidRequestError(`Model must be "provider/model", got "${modelText}"`, "model");
    const prompt: PromptBody = {
      ...(body.messageID ? { messageID: body.messageID } : {}),
      ...((body.agent ?? command.agent) ? { agent: body.agent ?? command.agent } : {}),
      ...(model ? { model } : {}),
      ...(body.variant ? { variant: body.variant } : {}),
      parts: [{ type: "text", text: expandTemplate(command.template, body.arguments) }, ...(body.parts ?? [])],
    };
    // Plugins may change what the command sends (command.execute.before).
    const input = { command: command.name, sessionID, arguments: body.arguments };
    prompt.parts = (await this.deps.plugins?.commandParts(session.directory, input, prompt.parts)) ?? prompt.parts;
    const { queued } = await this.deps.prompts.prompt(sessionID, prompt);
    const reply = await queued;
    // Upstream announces the command once the run is over (after session.idle).
    await this.deps.prompts.whenRunEnds(sessionID);
    await this.deps.events.publish(session, "command.executed", {
      name: command.name,
      sessionID,
      arguments: body.arguments,
      messageID: reply.info.id,
    });
    return reply;
  }
}
