// What the rest of the LLM backend knows of a model once it is resolved: its reference, the AI SDK
// model, the catalogue entry, and how requests to it are shaped. (Kept apart from the resolver so
// that the prompts and backends can name it without depending on provider loading.)
import type { LanguageModel } from "ai";
import type { Model, Provider } from "../../../generated/schemas.js";

export interface ModelRef {
  providerID: string;
  modelID: string;
}

export interface ResolvedModel {
  ref: ModelRef;
  language: LanguageModel;
  /** The model as /provider lists it: limits, costs, variants. */
  info: Model;
  /** Its provider as /provider lists it. */
  provider: Provider;
  /** Sent as max_tokens, as upstream does. */
  maxOutputTokens: number;
  /** Where provider options (the model's own, a variant's) go in a request. */
  optionsKey: string;
}
