// The answer to an error the domain throws about the request itself (a model no provider offers,
// ...): the 4xx of the API generation the operation belongs to. Unknown errors stay 500s.
import { ModelNotFoundError } from "../agent/llm/models.js";
import { badRequest, invalidRequest, type HttpError } from "./errors.js";

export function domainErrorAnswer(error: unknown, operationId: string | undefined): HttpError | undefined {
  if (error instanceof ModelNotFoundError)
    return operationId?.startsWith("v2.") ? invalidRequest(error.message, "Payload", "model") : badRequest(error.message, "Payload");
  return undefined;
}
