// Handlers of the spec tag "pty" (v1 /pty and v2 /api/pty): terminals of the request's directory.
// The v1 routes reach running terminals only (v1 lists, gets and updates no exited one, as
// upstream); the v2 routes keep an exited terminal until it is removed. Connecting is a WebSocket
// (src/server/pty-socket.ts); a plain GET of the connect route is answered 426.
import type { HandlerMap } from "../../generated/handlers.js";
import { Reply, type HandlerReply, type RequestContext } from "../server/context.js";
import { HttpError, notFound } from "../server/errors.js";
import { mayOpenTerminal, TICKET_HEADER } from "../server/pty-socket.js";
import { located } from "../v2/location.js";
import { availableShells } from "../pty/pty-service.js";

/**
 * A plain GET of a connect route: 404 for a terminal the directory does not have running (v1
 * declares NotFoundError there, v2 its PtyNotFoundError), else 426 Upgrade Required.
 */
function needsUpgrade(ctx: RequestContext, id: string, version: "v1" | "v2"): Reply {
  if (!ctx.services.pty.isRunning(ctx.directory, id)) {
    if (version === "v1") throw notFound(`PTY session not found: ${id}`);
    ctx.services.pty.get(ctx.directory, id, true);
  }
  const message = "Connect to a terminal with a WebSocket (Upgrade: websocket)";
  const body = version === "v1" ? { name: "UpgradeRequired", data: { message } } : { _tag: "UpgradeRequired", message };
  return new Reply(426, body, { upgrade: "websocket", connection: "Upgrade" });
}

/**
 * Tickets are for the browser pages the server serves or allows: the request must say it wants
 * one (x-opencode-ticket: 1, which a cross-site form cannot send without a preflight) and come
 * from an allowed origin, else 403 in the operation's shape.
 */
function ticket(ctx: RequestContext, id: string, tag: "PtyForbiddenError" | "ForbiddenError") {
  if (ctx.req.headers[TICKET_HEADER] !== "1" || !mayOpenTerminal(ctx.req.headers, ctx.services.config.corsOrigins))
    throw new HttpError(403, { _tag: tag, message: "Invalid PTY connect token request" });
  return ctx.services.pty.connectToken(ctx.directory, id);
}

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
