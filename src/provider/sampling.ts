// Sampling parameters upstream sends by model family when the agent sets none: some open-weight
// families are tuned for a given temperature and top-p; most models get the provider's default.
import type { Model } from "../../generated/schemas.js";

function familyTemperature(id: string): number | undefined {
  if (id.includes("qwen")) return 0.55;
  if (id.includes("claude")) return undefined;
  if (id.includes("gemini") || id.includes("glm-4.6") || id.includes("glm-4.7") || id.includes("minimax-m2")) return 1.0;
  if (id.includes("kimi-k2")) return ["thinking", "k2.", "k2p", "k2-5"].some((s) => id.includes(s)) ? 1.0 : 0.6;
  return undefined;
}

function familyTopP(id: string): number | undefined {
  if (id.includes("qwen")) return 1;
  if (["minimax-m2", "gemini", "kimi-k2.5", "kimi-k2p5", "kimi-k2-5"].some((s) => id.includes(s))) return 0.95;
  return undefined;
}

/** What a request samples with: the agent's own values, else the family's; no temperature where the model takes none. */
export function samplingOf(model: Model, agent: { temperature?: number; topP?: number }): { temperature?: number; topP?: number } {
  const id = model.id.toLowerCase();
  const temperature = model.capabilities.temperature ? (agent.temperature ?? familyTemperature(id)) : undefined;
  const topP = agent.topP ?? familyTopP(id);
  return { ...(temperature !== undefined ? { temperature } : {}), ...(topP !== undefined ? { topP } : {}) };
}
