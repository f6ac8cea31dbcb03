// Compile-time checks, run by `tsc --noEmit` in `npm test`: an error answer is built from what
// the spec declares for the operation (generated/handlers.ts `errors`), so a status the
// operation does not declare or a body of another shape fails to compile; every operation has
// a handler. Each `@ts-expect-error` line must stay an error (tsc fails if it compiles).
import type { HandlerTable } from "../../generated/handlers.js";
import type { HandlerReply, RequestContext } from "../../src/server/context.js";
import { declaredError } from "../../src/server/errors.js";
import { handlers } from "../../src/handlers/index.js";

export function declaredErrors(): void {
  declaredError("v2.session.message", {
    status: 404,
    body: { _tag: "MessageNotFoundError", sessionID: "ses_1", messageID: "msg_1", message: "Message not found: msg_1" },
  });
  declaredError("experimental.controlPlane.moveSession", { status: 400, body: { name: "MoveSessionError", data: { message: "no" } } });
}

export function undeclaredErrors(): void {
  // @ts-expect-error a status the operation does not declare
  declaredError("v2.session.message", { status: 409, body: { _tag: "SessionBusyError", sessionID: "ses_1", message: "busy" } });
  declaredError("v2.session.message", {
    status: 404,
    // @ts-expect-error a tag of another error
    body: { _tag: "ProviderNotFoundError", sessionID: "ses_1", messageID: "msg_1", message: "no" },
  });
  // @ts-expect-error the v1 shape where the operation declares the v2 one
  declaredError("v2.provider.get", { status: 404, body: { name: "NotFoundError", data: { message: "no" } } });
}

// The handler table is total: it type-checks as one handler per operation.
export const total: HandlerTable<RequestContext, HandlerReply> = handlers;
