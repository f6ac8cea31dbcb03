// Which model upstream picks when nothing names one: a provider's default model (the first of its
// models in upstream's order), and the small model for titles and summaries.
import type { Model } from "../../generated/schemas.js";

// Families upstream prefers; a later entry ranks higher, as in upstream's order.
const PREFERRED = ["gpt-5", "claude-sonnet-4", "big-pickle", "gemini-3-pro"];

function preference(id: string): number {
  return PREFERRED.findIndex((family) => id.includes(family));
}

/** Upstream's order: preferred families first, then `latest` aliases, then ids descending. */
export function sortModels<T extends Pick<Model, "id">>(models: T[]): T[] {
  return [...models].sort(
    (a, b) =>
      preference(b.id) - preference(a.id) ||
      Number(!a.id.includes("latest")) - Number(!b.id.includes("latest")) ||
      (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );
}

// Cheap, fast models for titles and summaries, best first; OpenCode Zen offers its own.
const SMALL = ["claude-haiku-4-5", "claude-haiku-4.5", "3-5-haiku", "3.5-haiku", "gemini-3-flash", "gemini-2.5-flash", "gpt-5-nano"];
const SMALL_BY_PROVIDER: Record<string, string[]> = { opencode: ["gpt-5-nano"] };

/** The provider's small model, if it has one of the known small families. */
export function smallModelOf(providerID: string, modelIDs: string[]): string | undefined {
  for (const family of SMALL_BY_PROVIDER[providerID] ?? SMALL) {
    const found = modelIDs.find((id) => id.includes(family));
    if (found) return found;
  }
  return undefined;
}
