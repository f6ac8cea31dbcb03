// Handlers of the spec tag "pty" (v1 /pty and v2 /api/pty): terminals. Connecting is a WebSocket
// (src/server/pty-socket.ts); a plain GET of the connect route is told so.
import type { HandlerMap } from "../../generated/handlers.js";
import { Reply, type HandlerReply, type RequestContext } from "../server/context.js";
import { badRequest, notFound } from "../server/errors.js";
import { located } from "../v2/location.js";
import { availableShells } from "../workspace/pty-service.js";

/**
 * The connect routes answer a plain GET: 404 for an unknown terminal (v1 declares NotFoundError
 * there, v2 its PtyNotFoundError, which `get` throws), else "upgrade".
 */
function needsUpgrade(ctx: RequestContext, id: string, version: "v1" | "v2"): never {
  if (version === "v1" && !ctx.services.pty.exists(id)) throw notFound(`Terminal not found: ${id}`);
  ctx.services.pty.get(id);
  throw badRequest("Connect to a terminal with a WebSocket (Upgrade: websocket)", "Headers");
}

export const ptyHandlers = {
  "pty.shells": () => availableShells(),
  "pty.list": (_input, ctx) => ctx.services.pty.list(ctx.directory),
  "pty.create": ({ body }, ctx) => ctx.services.pty.create(ctx.directory, body ?? {}),
  "pty.get": ({ params }, ctx) => ctx.services.pty.get(params.ptyID),
  "pty.update": ({ params, body }, ctx) => ctx.services.pty.update(params.ptyID, body ?? {}),
  "pty.remove": ({ params }, ctx) => {
    ctx.services.pty.remove(params.ptyID);
    return true;
  },
  "pty.connectToken": ({ params }, ctx) => ctx.services.pty.connectToken(params.ptyID),
  "pty.connect": ({ params }, ctx) => needsUpgrade(ctx, params.ptyID, "v1"),
  "v2.pty.list": (_input, ctx) => located(ctx, ctx.services.pty.list(ctx.directory)),
  "v2.pty.create": ({ body }, ctx) => located(ctx, ctx.services.pty.create(ctx.directory, body ?? {})),
  "v2.pty.get": ({ params }, ctx) => located(ctx, ctx.services.pty.get(params.ptyID)),
  "v2.pty.update": ({ params, body }, ctx) => located(ctx, ctx.services.pty.update(params.ptyID, body ?? {})),
  "v2.pty.remove": ({ params }, ctx) => {
    ctx.services.pty.remove(params.ptyID);
    return new Reply(204);
  },
  "v2.pty.connectToken": ({ params }, ctx) => located(ctx, ctx.services.pty.connectToken(params.ptyID)),
  "v2.pty.connect": ({ params }, ctx) => needsUpgrade(ctx, params.ptyID, "v2"),
} satisfies HandlerMap<RequestContext, HandlerReply>;
