// Handlers of the spec tag "pty" (v2 /api/pty): terminals of the request's directory, an exited
// one kept until it is removed. Connecting is a WebSocket (src/server/pty-socket.ts).
import type { HandlerMap } from "../../../generated/handlers.js";
import { Reply, type HandlerReply, type RequestContext } from "../../server/context.js";
import { needsUpgrade, ticket } from "../pty-connect.js";
import { located } from "./location.js";

export const ptyV2Handlers = {
  "v2.pty.list": (_input, ctx) => located(ctx, ctx.services.pty.list(ctx.directory)),
  "v2.pty.create": ({ body }, ctx) => located(ctx, ctx.services.pty.create(ctx.directory, body ?? {})),
  "v2.pty.get": ({ params }, ctx) => located(ctx, ctx.services.pty.get(ctx.directory, params.ptyID)),
  "v2.pty.update": ({ params, body }, ctx) => located(ctx, ctx.services.pty.update(ctx.directory, params.ptyID, body ?? {})),
  "v2.pty.remove": ({ params }, ctx) => {
    ctx.services.pty.remove(ctx.directory, params.ptyID);
    return new Reply(204);
  },
  "v2.pty.connectToken": ({ params }, ctx) => located(ctx, ticket(ctx, params.ptyID, "ForbiddenError")),
  "v2.pty.connect": ({ params }, ctx) => needsUpgrade(ctx, params.ptyID, "v2"),
} satisfies HandlerMap<RequestContext, HandlerReply>;
