// Handlers of the spec tag "permission".
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";

export const permissionHandlers = {
  "permission.list": (_input, ctx) => ctx.services.permissions.list(),
  "permission.reply": async ({ params, body }, ctx) => {
    await ctx.services.permissions.reply(params.requestID, body!.reply, body!.message);
    return true;
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
