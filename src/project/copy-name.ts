// A short name for a copy of a project (a worktree for a task): without a description of the
// task, a random adjective-noun; with one, two or three words the small model picks, as a slug.
// A model that is missing or fails falls back to the random name, as upstream does.
import type { Logger } from "pino";
import type { Config } from "../../generated/schemas.js";
import type { ModelResolver } from "../agent/llm/model-resolver.js";
import { defaultModel } from "../agent/llm/models.js";
import { askShortText } from "../agent/llm/short-text.js";
import { createSlug, slugify } from "../session/slug.js";

export async function generateCopyName(models: ModelResolver, config: Config, context: string | undefined, log: Logger): Promise<string> {
  const text = context?.trim();
  const ref = models.small(config, defaultModel(config));
  if (!text || !ref) return createSlug();
  try {
    const output = await askShortText(models.resolve(config, ref), {
      messages: [{ role: "user", content: `Generate a short 2-3 word name that describes this task:\n${text}` }],
      maxRetries: 2,
    });
    return slugify(output.split(/\s+/).slice(0, 3).join(" ")) || createSlug();
  } catch (error) {
    log.warn({ err: error }, "project copy name generation failed");
    return createSlug();
  }
}
