// skill: loads one of the project's skills (its SKILL.md instructions) into the conversation,
// under the `skill` permission (pattern: the skill's name).
import path from "node:path";
import type { Skill } from "../skill/skills.js";
import { ToolError, type ToolDefinition } from "./tool.js";

export function skillTool(skills: Skill[]): ToolDefinition<{ name: string }> {
  const list = skills.map((s) => `- ${s.name}: ${s.description ?? "(no description)"}`).join("\n");
  return {
    id: "skill",
    description: [
      "Loads a skill: specialised instructions for a kind of task. Load one when the task matches its description,",
      "then follow its instructions. Available skills:",
      list,
    ].join("\n"),
    parameters: {
      type: "object",
      properties: { name: { type: "string", description: "The skill's name, from the list" } },
      required: ["name"],
    },
    async execute(args, ctx) {
      const skill = skills.find((s) => s.name === args.name);
      if (!skill) throw new ToolError(`Skill "${args.name}" not found. Available: ${skills.map((s) => s.name).join(", ") || "none"}`);
      await ctx.ask({ permission: "skill", patterns: [skill.name], always: [skill.name], metadata: {} });
      const folder = path.dirname(skill.location);
      return {
        title: `Loaded skill: ${skill.name}`,
        output: [`## Skill: ${skill.name}`, "", `Base directory for this skill: ${folder}`, "", skill.content].join("\n"),
        metadata: { name: skill.name, dir: folder },
      };
    },
  };
}
