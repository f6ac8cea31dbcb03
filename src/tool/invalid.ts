// invalid: what a call of an unknown tool, or with arguments that break its schema, becomes, so
// the model reads why and can try again (upstream renames such parts to "invalid").
import type { ToolDefinition } from "./tool.js";

export const invalidTool: ToolDefinition<{ tool: string; error: string }> = {
  id: "invalid",
  description: "Do not use.",
  parameters: { type: "object", properties: { tool: { type: "string" }, error: { type: "string" } }, required: ["tool", "error"] },
  async execute(args) {
    return { title: "Invalid Tool", output: `The arguments provided to the tool are invalid: ${args.error}`, metadata: {} };
  },
};
