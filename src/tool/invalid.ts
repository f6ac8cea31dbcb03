// invalid: what a call of an unknown tool (or with arguments that are not even JSON) becomes, so
// the model reads why and can try again. Upstream renames such parts to "invalid"; the tool is
// never offered to the model, only kept for this repair.
import { z } from "zod";
import { defineTool } from "./define.js";

export const invalidTool = defineTool({
  id: "invalid",
  description: "Do not use.",
  parameters: z.object({ tool: z.string(), error: z.string() }),
  async run(args) {
    return { title: "Invalid Tool", output: `The arguments provided to the tool are invalid: ${args.error}`, metadata: {} };
  },
});
