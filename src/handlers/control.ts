// Handlers of the spec tag "control".
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";

export const controlHandlers = {
  "auth.set": ({ params, body }, ctx) => {
    ctx.services.credentials.set(params.providerID, body!);
    return true;
  },
  "auth.remove": ({ params }, ctx) => {
    ctx.services.credentials.remove(params.providerID);
    return true;
  },
  // A client's line in the server log, under its own service name.
  "app.log": ({ body }, ctx) => {
    const { service, level, message, extra } = body!;
    ctx.services.log.child({ service })[level]({ ...extra }, message);
    return true;
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
