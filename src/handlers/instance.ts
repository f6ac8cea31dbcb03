// Handlers of the spec tag "instance".
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { describePaths } from "../workspace/paths.js";

export const instanceHandlers = {
  "path.get": (_input, ctx) => describePaths(ctx.directory),
} satisfies HandlerMap<RequestContext, HandlerReply>;
