// The answer to an error the domain throws about the request itself (src/domain-errors.ts, a
// model no provider offers): the 4xx in the shape of the operation's API generation, v1
// (`{name, data}`) or v2 (`{_tag, ...}`). Anything else stays an unexpected 500.
import { ModelNotFoundError } from "../agent/llm/models.js";
import { InvalidRequestError, NAMED_THINGS, NamedError, NotFoundError, SessionBusyError } from "../domain-errors.js";
import { HttpError, badRequest, invalidRequest, notFound } from "./errors.js";

/** `{_tag: "<Kind>NotFoundError", <id field>, message}`: v2's shape, and v1's for all but sessions, messages and parts. */
function taggedNotFound(error: NotFoundError): HttpError {
  const ids = { ...(error.sessionID ? { sessionID: error.sessionID } : {}), [NAMED_THINGS[error.kind].idField]: error.id };
  return new HttpError(404, { _tag: `${error.kind}NotFoundError`, ...ids, message: error.message });
}

// Upstream's v1 routes answer these with `{name: "NotFoundError", data: {message}}`.
const V1_PLAIN = new Set(["Session", "Message", "Part", "Workspace"]);

const NAMED_STATUS = { request: 400, forbidden: 403, server: 500 } as const;

export function domainErrorAnswer(error: unknown, operationId: string | undefined): HttpError | undefined {
  const v2 = operationId?.startsWith("v2.") ?? false;
  if (error instanceof NotFoundError) return v2 || !V1_PLAIN.has(error.kind) ? taggedNotFound(error) : notFound(error.message);
  if (error instanceof SessionBusyError)
    return new HttpError(409, { _tag: "SessionBusyError", sessionID: error.sessionID, message: error.message });
  if (error instanceof InvalidRequestError || error instanceof ModelNotFoundError) {
    const field = error instanceof InvalidRequestError ? error.field : "model";
    const source = error instanceof InvalidRequestError ? error.source : "Payload";
    return v2 ? invalidRequest(error.message, source, field) : badRequest(error.message, source);
  }
  if (error instanceof NamedError)
    return new HttpError(NAMED_STATUS[error.cause], { name: error.errorName, data: { message: error.message, ...error.data } });
  return undefined;
}
