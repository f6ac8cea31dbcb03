// A short name for a copy of a project (a worktree for a task): without a description of the
// task, a random adjective-noun; with one, two or three words the small model picks, as a slug.
// A model that is missing or fails falls back to the random name, as upstream does.
import { streamText } from "ai";
import type { Logger } from "pino";
import type { Config } from "../../generated/schemas.js";
import { defaultModel, resolveModel, smallModel, type Credentials } from "../agent/llm/models.js";
import { createSlug } from "../session/slug.js";

function slugify(input: string): string {
  return input
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export async function generateCopyName(
  config: Config,
  context: string | undefined,
  credentials: Credentials,
  log: Logger,
): Promise<string> {
  const text = context?.trim();
  const ref = smallModel(config, defaultModel(config), process.env, credentials);
  if (!text || !ref) return createSlug();
  try {
    const model = resolveModel(config, ref, process.env, credentials);
    const result = streamText({
      model: model.language,
      messages: [{ role: "user", content: `Generate a short 2-3 word name that describes this task:\n${text}` }],
      maxRetries: 2,
      maxOutputTokens: model.maxOutputTokens,
      onError: () => {},
    });
    const output = (await result.text).replace(/<think>[\s\S]*?<\/think>/g, "").trim();
    const name = slugify(output.split(/\s+/).slice(0, 3).join(" "));
    return name || createSlug();
  } catch (error) {
    log.warn({ err: error }, "project copy name generation failed");
    return createSlug();
  }
}
