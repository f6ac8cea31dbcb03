// Handlers of the spec tag "project".
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";

export const projectHandlers = {
  "project.list": (_input, ctx) => ctx.services.projects.list(),
  "project.current": (_input, ctx) => ctx.services.projects.forDirectory(ctx.directory),
} satisfies HandlerMap<RequestContext, HandlerReply>;
