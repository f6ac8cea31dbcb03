// Handlers of the spec tag "controlPlane".
import type { HandlerMap } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../server/context.js";
import { declaredError, HttpError } from "../server/errors.js";
import { SessionMoveError, moveSession } from "../session/session-move.js";

function moveError(message: string): HttpError {
  return declaredError("experimental.controlPlane.moveSession", { status: 400, body: { name: "MoveSessionError", data: { message } } });
}

export const controlPlaneHandlers = {
  "experimental.controlPlane.moveSession": async ({ body }, ctx) => {
    const { sessionID, destination, moveChanges } = body!;
    if (!(await ctx.services.store.getSession(sessionID))) throw moveError(`Session not found: ${sessionID}`);
    try {
      await moveSession(ctx.services, { sessionID, directory: destination.directory, moveChanges });
    } catch (error) {
      if (error instanceof SessionMoveError) throw moveError(error.message);
      throw error;
    }
  },
} satisfies HandlerMap<RequestContext, HandlerReply>;
