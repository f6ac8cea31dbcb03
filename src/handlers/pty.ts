// Handlers of the spec tag "pty" (v1 /pty): terminals of the request's directory. The v1 routes
// reach running terminals only (v1 lists, gets and updates no exited one, as upstream).
// Connecting is a WebSocket (src/server/pty-socket.ts); a plain GET of the connect route is answered 426.
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { availableShells } from "../pty/pty-service.js";
import { needsUpgrade, ticket } from "./pty-connect.js";

export const ptyHandlers = {
  "pty.shells": () => availableShells(),
  "pty.list": (_input, ctx) => ctx.services.pty.list(ctx.directory, true),
  "pty.create": ({ body }, ctx) => ctx.services.pty.create(ctx.directory, body ?? {}),
  "pty.get": ({ params }, ctx) => ctx.services.pty.get(ctx.directory, params.ptyID, true),
  "pty.update": ({ params, body }, ctx) => ctx.services.pty.update(ctx.directory, params.ptyID, body ?? {}, true),
  // An exited terminal can be removed here too: v1 clients have no other way to let it go.
  "pty.remove": ({ params }, ctx) => {
    ctx.services.pty.remove(ctx.directory, params.ptyID);
    return true;
  },
  "pty.connectToken": ({ params }, ctx) => ticket(ctx, params.ptyID, "PtyForbiddenError"),
  "pty.connect": ({ params }, ctx) => needsUpgrade(ctx, params.ptyID, "v1"),
} satisfies HandlerMap<RequestContext, HandlerReply>;
