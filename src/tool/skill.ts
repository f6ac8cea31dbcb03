// skill: loads one of the project's skills (its SKILL.md instructions) into the conversation,
// under the `skill` permission (pattern: the skill's name).
import path from "node:path";
import { z } from "zod";
import type { Skill } from "../skill/skills.js";
import { defineTool } from "./define.js";
import { ToolError } from "./tool.js";

/** Upstream offers the tool whether or not there are skills; the list says what there is. */
export function skillTool(skills: Skill[]) {
  const list = skills.length
    ? skills.map((s) => `- ${s.name}: ${s.description ?? "(no description)"}`).join("\n")
    : "(none in this project)";
  return defineTool({
    id: "skill",
    description: [
      "Loads a skill: instructions written for one kind of task, with the scripts and files that come with it.",
      "When the task in front of you matches a skill's description, load it first and then follow what it says.",
      "The answer holds the skill's instructions and the folder its files are in; paths it mentions are relative to that folder.",
      "The name must be one of these skills:",
      list,
    ].join("\n"),
    parameters: z.object({ name: z.string().describe("The name of the skill to load, from the list of skills") }),
    async run(args, ctx) {
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
  });
}
