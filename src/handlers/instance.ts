// Handlers of the spec tag "instance".
import type { HandlerMap } from "../../generated/handlers.js";
import { listCommands } from "../command/commands.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { describePaths } from "../workspace/paths.js";

export const instanceHandlers = {
  "path.get": (_input, ctx) => describePaths(ctx.directory),
  "command.list": async (_input, ctx) => listCommands(await ctx.services.configSource.forDirectory(ctx.directory)),
} satisfies HandlerMap<RequestContext, HandlerReply>;
