// write: creates or replaces a file in the project.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { projectRoot, resolvePath } from "./paths.js";
import { z } from "zod";
import { defineTool } from "./define.js";

const description = `Writes a file: creates it, or replaces all of its content if it exists. Missing folders on the way are created.

How to use it:
- Give \`filePath\` as an absolute path.
- To change part of an existing file, use the edit tool instead; it is safer and shows a smaller diff.
- Before overwriting an existing file, read it in this conversation, so nothing in it is lost by accident.
- Do not create files the task does not need, such as documentation or README files nobody asked for.
- Do not put emoji in files unless the user asks for them.`;

export const writeTool = defineTool({
  id: "write",
  description,
  parameters: z.object({
    content: z.string().describe("The complete new content of the file"),
    filePath: z.string().describe("Absolute path of the file to write"),
  }),
  async run(args, ctx) {
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
});
