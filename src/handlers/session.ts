// Handlers of the spec tag "session".
import { queryFlag } from "./query-flag.js";
import { stat } from "node:fs/promises";
import type { HandlerMap, OperationIO } from "../../generated/handlers.js";
import { isLegacyChat, promptFromLegacyChat, withSystem, withSystemInMessages } from "../legacy/python-sdk-shapes.js";
import { badRequest, invalidRequest } from "../server/errors.js";
import { isLegacyClient } from "../server/legacy-client.js";
import { streamsSettled } from "../server/sse.js";
import { forkSession } from "../session/fork.js";
import { SessionListLimitError } from "../session/session-service.js";
import { ShellCommandTooLongError } from "../process/shell.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { PreSerialized, type PieceShape } from "../contract/pre-serialized.js";

/** The answers of session.list and session.messages, as the spec declares them, from stored pieces. */
const SESSION_LIST: PieceShape = { piece: { array: { ref: "Session" } } };
const MESSAGE_LIST: PieceShape = { piece: { array: { object: { info: { ref: "Message" }, parts: { array: { ref: "Part" } } } } } };

const NO_SHARING = "Sharing is not available: this server has no share backend";

export const sessionHandlers = {
  // Joined by the database from the stored JSON; the dispatcher checks it (once per distinct text).
  "session.list": ({ query }, ctx) => {
    const input = { roots: queryFlag(query.roots), start: query.start, search: query.search, limit: query.limit };
    return ctx.services.sessions
      .listStored(ctx.directory, input)
      .then((json) => new PreSerialized(SESSION_LIST, { key: JSON.stringify([ctx.directory, input]), json }))
      .catch((error: unknown) => {
        throw error instanceof SessionListLimitError ? badRequest(error.message, "Query") : error;
      });
  },
  "session.create": ({ body }, ctx) => ctx.services.sessions.create(ctx.directory, body),
  "session.status": (_input, ctx) => ctx.services.runs.statuses(),
  "session.get": ({ params }, ctx) => ctx.services.sessions.get(params.sessionID),
  "session.update": ({ params, body }, ctx) => ctx.services.sessions.update(params.sessionID, body),
  "session.delete": async ({ params }, ctx) => {
    await ctx.services.lifecycle.delete(params.sessionID);
    return true;
  },
  "session.children": ({ params }, ctx) => ctx.services.sessions.children(params.sessionID),
  "session.todo": async ({ params }, ctx) => {
    await ctx.services.sessions.get(params.sessionID);
    return ctx.services.store.getTodos(params.sessionID);
  },
  "session.abort": async ({ params }, ctx) => {
    await ctx.services.lifecycle.stop(params.sessionID);
    return true;
  },
  // The legacy route of permission.reply, still used by older clients.
  "permission.respond": async ({ params, body }, ctx) => {
    await ctx.services.permissions.reply(params.permissionID, body!.response);
    return true;
  },
  "session.messages": async ({ params, query }, ctx) => {
    if (isLegacyClient(ctx.req)) {
      const messages = await ctx.services.messages.list(params.sessionID, query.limit);
      return withSystemInMessages(messages) as typeof messages;
    }
    // Joined by the database from the stored JSON; the dispatcher checks it (once per distinct text).
    const stored = await ctx.services.messages.listStored(params.sessionID, query.limit);
    return new PreSerialized(MESSAGE_LIST, { key: `${params.sessionID}?limit=${query.limit}`, json: stored });
  },
  "session.message": ({ params }, ctx) => ctx.services.messages.get(params.sessionID, params.messageID),
  "session.deleteMessage": async ({ params }, ctx) => {
    await ctx.services.messages.remove(params.sessionID, params.messageID);
    return true;
  },
  "part.delete": async ({ params }, ctx) => {
    await ctx.services.messages.removePart(params.sessionID, params.messageID, params.partID);
    return true;
  },
  "part.update": ({ params, body }, ctx) => ctx.services.messages.updatePart(params.sessionID, params.messageID, params.partID, body!),
  "session.prompt": async ({ params, body }, ctx) => {
    const { prompts } = ctx.services;
    // The Python SDK's chat: the old request form, answered with the bare assistant message.
    if (isLegacyChat(body as Record<string, unknown>)) {
      const legacy = promptFromLegacyChat(body as never);
      const { queued } = await prompts.prompt(params.sessionID, legacy as never);
      return withSystem((await queued).info) as unknown as OperationIO["session.prompt"]["response"];
    }
    const { queued } = await prompts.prompt(params.sessionID, body!);
    const reply = await queued;
    // The run's events (written to the event streams before the reply) reach the clients first.
    await streamsSettled();
    return reply as OperationIO["session.prompt"]["response"];
  },
  "session.prompt_async": async ({ params, body }, ctx) => {
    await ctx.services.prompts.prompt(params.sessionID, body!);
  },
  "session.diff": ({ params, query }, ctx) => ctx.services.diffs.diff(params.sessionID, query.messageID),
  "session.shell": ({ params, body }, ctx) =>
    ctx.services.shell.run(params.sessionID, body!).catch((error: unknown) => {
      if (error instanceof ShellCommandTooLongError) throw invalidRequest(error.message, "Payload", "command");
      throw error;
    }),
  "session.revert": ({ params, body }, ctx) => ctx.services.reverts.revert(params.sessionID, body!.messageID, body!.partID),
  "session.unrevert": ({ params }, ctx) => ctx.services.reverts.unrevert(params.sessionID),
  "session.summarize": async ({ params, body }, ctx) => {
    await ctx.services.prompts.summarize(params.sessionID, { providerID: body!.providerID, modelID: body!.modelID });
    return true;
  },
  "session.command": ({ params, body }, ctx) =>
    ctx.services.commands.run(params.sessionID, body!) as Promise<OperationIO["session.command"]["response"]>,
  "session.init": async ({ params, body }, ctx) => {
    // A ?directory= that does not exist is refused before the run starts (upstream fails at once too).
    if (!(await stat(ctx.directory).catch(() => undefined))?.isDirectory())
      throw invalidRequest(`Directory does not exist: ${ctx.directory}`, "Query", "directory");
    await ctx.services.commands.run(params.sessionID, {
      command: "init",
      arguments: "",
      messageID: body!.messageID,
      model: `${body!.providerID}/${body!.modelID}`,
    });
    return true;
  },
  "session.fork": ({ params, body }, ctx) => forkSession(ctx.services, params.sessionID, body?.messageID),
  "session.share": async ({ params }, ctx) => {
    await ctx.services.sessions.get(params.sessionID);
    throw badRequest(NO_SHARING, "Payload");
  },
  // Nothing is ever shared here, so there is no share to remove: the session as it is, like upstream's answer.
  "session.unshare": ({ params }, ctx) => ctx.services.sessions.get(params.sessionID),
} satisfies HandlerMap<RequestContext, HandlerReply>;
