// What both generations of the pty routes share about connecting: a plain GET of the connect
// route, and the connect tickets the browser pages ask for.
import { Reply, type RequestContext } from "../server/context.js";
import { HttpError, notFound } from "../server/errors.js";
import { mayOpenTerminal, TICKET_HEADER } from "../server/pty-socket.js";

/**
 * A plain GET of a connect route: 404 for a terminal the directory does not have running (v1
 * declares NotFoundError there, v2 its PtyNotFoundError), else 426 Upgrade Required.
 */
export function needsUpgrade(ctx: RequestContext, id: string, version: "v1" | "v2"): Reply {
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
export function ticket(ctx: RequestContext, id: string, tag: "PtyForbiddenError" | "ForbiddenError") {
  if (ctx.req.headers[TICKET_HEADER] !== "1" || !mayOpenTerminal(ctx.req.headers, ctx.services.config.corsOrigins))
    throw new HttpError(403, { _tag: tag, message: "Invalid PTY connect token request" });
  return ctx.services.pty.connectToken(ctx.directory, id);
}
