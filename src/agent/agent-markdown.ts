// Markdown definition files (agents, commands, AgentPool's file agents): YAML front matter holds
// the settings, the body is the prompt.
import { parseYaml } from "./yaml.js";
import type { AgentConfig } from "../../generated/schemas.js";

export function parseAgentMarkdown(text: string): { config: AgentConfig; prompt: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) return { config: {}, prompt: text.trim() };
  const config = (parseYaml(match[1]!) ?? {}) as AgentConfig;
  return { config, prompt: match[2]!.trim() };
}
