// The answer to an error the domain throws about the request itself (src/domain-errors.ts, a
// model no provider offers): the 4xx in the shape of the operation's API generation, v1
// (`{name, data}`) or v2 (`{_tag, ...}`). Anything else stays an unexpected 500.
import { ModelNotFoundError } from "../agent/llm/models.js";
import { InvalidRequestError, NotFoundError, SessionBusyError } from "../domain-errors.js";
import { HttpError, badRequest, invalidRequest, notFound } from "./errors.js";

function notFoundV2(error: NotFoundError): HttpError {
  const ids =
    error.kind === "Session"
      ? { sessionID: error.id }
      : error.kind === "Message"
        ? { sessionID: error.sessionID, messageID: error.id }
        : { sessionID: error.sessionID, partID: error.id };
  return new HttpError(404, { _tag: `${error.kind}NotFoundError`, ...ids, message: error.message });
}

export function domainErrorAnswer(error: unknown, operationId: string | undefined): HttpError | undefined {
  const v2 = operationId?.startsWith("v2.") ?? false;
  if (error instanceof NotFoundError) return v2 ? notFoundV2(error) : notFound(error.message);
  if (error instanceof SessionBusyError)
    return new HttpError(409, { _tag: "SessionBusyError", sessionID: error.sessionID, message: error.message });
  if (error instanceof InvalidRequestError || error instanceof ModelNotFoundError) {
    const field = error instanceof InvalidRequestError ? error.field : "model";
    return v2 ? invalidRequest(error.message, "Payload", field) : badRequest(error.message, "Payload");
  }
  return undefined;
}
