// write: creates or replaces a file in the project.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { projectRoot, resolvePath } from "./paths.js";
import type { ToolDefinition } from "./tool.js";

export const writeTool: ToolDefinition<{ content: string; filePath: string }> = {
  id: "write",
  description: [
    "Writes a file in the project, replacing it if it exists (folders are created as needed).",
    "Prefer the edit tool to change part of an existing file; read a file before you overwrite it.",
  ].join("\n"),
  parameters: {
    type: "object",
    properties: {
      content: { type: "string", description: "The whole content of the file" },
      filePath: { type: "string", description: "Absolute path (or relative to the project directory) of the file" },
    },
    required: ["content", "filePath"],
  },
  async execute(args, ctx) {
    const file = await resolvePath(ctx, args.filePath);
    const relative = path.relative(projectRoot(ctx), file);
    await ctx.ask({ permission: "edit", patterns: [relative], always: ["*"], metadata: { filepath: file } });
    const exists = existsSync(file);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, args.content);
    ctx.publish("file.edited", { file });
    ctx.publish("file.watcher.updated", { file, event: exists ? "change" : "add" });
    return {
      title: path.relative(projectRoot(ctx), file),
      output: "Wrote file successfully.",
      metadata: { diagnostics: {}, filepath: file, exists },
    };
  },
};
