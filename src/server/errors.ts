// Error answers in the shapes the upstream server uses, and the exception that carries them
// from anywhere in a handler to the HTTP layer.
import { randomBytes } from "node:crypto";
import type { OperationIO } from "../../generated/handlers.js";
import type { OperationId } from "../../generated/operations.js";
import type { BadRequestError, InvalidRequestError, NamedServerError, NotFoundError, TaggedServerError } from "../../generated/schemas.js";

/** The error answers the spec declares for an operation (generated from its responses). */
export type DeclaredError<K extends OperationId> = OperationIO[K]["errors"];
/**
 * An error body the spec knows: one some operation declares, or upstream's {name, data} and
 * {_tag} shapes on a status an operation does not declare (spec/overlays, ServerError).
 */
export type ErrorBody = DeclaredError<OperationId>["body"] | NamedServerError | TaggedServerError;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    /** Sent with the answer (the reason for a body that has no room for one). */
    readonly headers: Record<string, string> = {},
  ) {
    super(messageOf(body));
  }
}

function messageOf(body: ErrorBody): string {
  const { data, message, _tag, name } = body as { data?: { message?: unknown }; message?: unknown; _tag?: unknown; name?: unknown };
  return String(data?.message ?? message ?? _tag ?? name);
}

import type { BadRequestKind } from "../contract/validation.js";

export type { BadRequestKind };

/**
 * An error answer of one operation, as the spec declares it: a status it does not declare for
 * the operation, or a body of another shape, fails to compile.
 */
export function declaredError<K extends OperationId>(_operationId: K, answer: DeclaredError<K>): HttpError {
  const { status, body } = answer as { status: number; body: ErrorBody };
  return new HttpError(status, body);
}

export function badRequest(message: string, kind: BadRequestKind): HttpError {
  const body: BadRequestError = { name: "BadRequest", data: { message, kind } };
  return new HttpError(400, body);
}

/** The header that carries why a request was refused when the declared body has no room for it. */
export const REASON_HEADER = "x-agentpool-error";

/**
 * A request the spec refuses (malformed JSON, a parameter or body that breaks its schema), in the
 * shape the operation declares: Effect's bare `{_tag: "BadRequest"}` where it declares that one
 * (as upstream answers), the reason then in a header and the log; `{name, data}` otherwise.
 */
export function rejectedRequest(message: string, kind: BadRequestKind, bareTag: boolean): HttpError {
  if (!bareTag) return badRequest(message, kind);
  // A header value is one line of visible ASCII.
  const reason = `${kind}: ${message}`
    .replace(/\s+/g, " ")
    .replace(/[^\x20-\x7e]/g, "?")
    .slice(0, 1000);
  return new HttpError(400, { _tag: "BadRequest" }, { [REASON_HEADER]: reason });
}

/** Effect's InvalidRequestError, which many operations declare for their 400. */
export function invalidRequest(message: string, kind?: BadRequestKind, field?: string): HttpError {
  const body: InvalidRequestError = { _tag: "InvalidRequestError", message, ...(kind ? { kind } : {}), ...(field ? { field } : {}) };
  return new HttpError(400, body);
}

export function notFound(message: string): HttpError {
  const body: NotFoundError = { name: "NotFoundError", data: { message } };
  return new HttpError(404, body);
}

function unknownErrorBody(ref: string): NamedServerError {
  const data = { message: "Unexpected server error. Check server logs for details.", ref };
  return { name: "UnknownError", data };
}

/** What upstream answers for an unexpected failure: a generic message and a reference to the log line. */
export function unknownError(): { ref: string; error: HttpError } {
  const ref = `err_${randomBytes(4).toString("hex")}`;
  return {
    ref,
    error: new HttpError(500, unknownErrorBody(ref)),
  };
}
