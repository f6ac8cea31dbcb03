// When a conversation no longer fits its model: upstream compacts it by itself once the tokens of
// the last step pass what the model can read with room for an answer.
import type { AssistantMessage, Config, Model } from "../../generated/schemas.js";

// Upstream reserves this much for the answer when the model's own output limit is larger or unknown.
const OUTPUT_TOKEN_MAX = 32_000;

/** The text upstream adds after an automatic compaction, so the agent carries on. */
export const CONTINUE_AFTER_COMPACTION =
  "Continue if you have next steps, or stop and ask for clarification if you are unsure how to proceed.";

export function isOverflow(tokens: AssistantMessage["tokens"], model: Pick<Model, "limit">): boolean {
  const context = model.limit.context;
  if (!context) return false;
  const count = tokens.input + tokens.cache.read + tokens.output;
  const output = Math.min(model.limit.output, OUTPUT_TOKEN_MAX) || OUTPUT_TOKEN_MAX;
  const usable = (model.limit as { input?: number }).input || context - output;
  // A model whose answer may fill its whole context gives no room to measure: never compact it by itself.
  return usable > 0 && count > usable;
}

/** Automatic compaction is on unless the config or OPENCODE_DISABLE_AUTOCOMPACT turns it off. */
export function autoCompaction(config: Config, env: NodeJS.ProcessEnv = process.env): boolean {
  return config.compaction?.auto !== false && !env.OPENCODE_DISABLE_AUTOCOMPACT;
}
