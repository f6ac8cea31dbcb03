// Error answers in the shapes the upstream server uses, and the exception that carries them
// from anywhere in a handler to the HTTP layer.
import { randomBytes } from "node:crypto";

export type ErrorBody = Record<string, unknown>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(
      typeof body.data === "object" && body.data && "message" in body.data
        ? String(body.data.message)
        : String(body.message ?? body._tag ?? body.name),
    );
  }
}

export type BadRequestKind = "Params" | "Headers" | "Query" | "Body" | "Payload";

export function badRequest(message: string, kind: BadRequestKind): HttpError {
  return new HttpError(400, { name: "BadRequest", data: { message, kind } });
}

/** Effect's InvalidRequestError, which many operations declare for their 400. */
export function invalidRequest(message: string, kind?: BadRequestKind, field?: string): HttpError {
  return new HttpError(400, { _tag: "InvalidRequestError", message, ...(kind ? { kind } : {}), ...(field ? { field } : {}) });
}

export function notFound(message: string): HttpError {
  return new HttpError(404, { name: "NotFoundError", data: { message } });
}

/** What upstream answers for an unexpected failure: a generic message and a reference to the log line. */
export function unknownError(): { ref: string; error: HttpError } {
  const ref = `err_${randomBytes(4).toString("hex")}`;
  return {
    ref,
    error: new HttpError(500, {
      name: "UnknownError",
      data: { message: "Unexpected server error. Check server logs for details.", ref },
    }),
  };
}
