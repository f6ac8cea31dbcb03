// Why a turn ended badly, in the error shapes assistant messages and session.error carry.
import { APICallError } from "@ai-sdk/provider";
import type { AssistantMessage } from "../../generated/schemas.js";
import { ProviderAuthError } from "./llm/models.js";

export type MessageError = NonNullable<AssistantMessage["error"]>;

export const ABORTED: MessageError = { name: "MessageAbortedError", data: { message: "Aborted" } };

export function toMessageError(error: unknown, signal?: AbortSignal): MessageError {
  if (signal?.aborted || (error instanceof Error && error.name === "AbortError")) return ABORTED;
  if (error instanceof ProviderAuthError)
    return { name: "ProviderAuthError", data: { providerID: error.providerID, message: error.message } };
  if (APICallError.isInstance(error)) {
    let message = error.message;
    try {
      const body = JSON.parse(error.responseBody ?? "") as { error?: { message?: string } };
      message = body.error?.message ?? message;
    } catch {
      // keep the SDK's message
    }
    return {
      name: "APIError",
      data: {
        message,
        ...(error.statusCode !== undefined ? { statusCode: error.statusCode } : {}),
        isRetryable: error.isRetryable,
        ...(error.responseHeaders ? { responseHeaders: error.responseHeaders } : {}),
        ...(error.responseBody !== undefined ? { responseBody: error.responseBody } : {}),
        metadata: { url: error.url },
      },
    };
  }
  return { name: "UnknownError", data: { message: error instanceof Error ? error.message : String(error) } };
}
