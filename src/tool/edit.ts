// edit: replaces an exact piece of text in a file, and reports the diff.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { createTwoFilesPatch, diffLines } from "diff";
import { projectRoot, resolvePath } from "./paths.js";
import { ToolError, type ToolDefinition } from "./tool.js";

function countOccurrences(text: string, piece: string): number {
  let count = 0;
  for (let at = text.indexOf(piece); at >= 0; at = text.indexOf(piece, at + piece.length)) count++;
  return count;
}

export const editTool: ToolDefinition<{ filePath: string; oldString: string; newString: string; replaceAll?: boolean }> = {
  id: "edit",
  description: [
    "Replaces exact text in a file. `oldString` must appear in the file exactly (whitespace included) and,",
    "unless `replaceAll` is set, exactly once: give enough surrounding lines to make it unique.",
    "An empty `oldString` creates the file with `newString` as its content. Read the file first.",
  ].join("\n"),
  parameters: {
    type: "object",
    properties: {
      filePath: { type: "string", description: "Absolute path (or relative to the project directory) of the file" },
      oldString: { type: "string", description: "The text to replace" },
      newString: { type: "string", description: "The text to put in its place (different from oldString)" },
      replaceAll: { type: "boolean", description: "Replace every occurrence (default false)" },
    },
    required: ["filePath", "oldString", "newString"],
  },
  async execute(args, ctx) {
    const file = await resolvePath(ctx, args.filePath);
    const relative = path.relative(projectRoot(ctx), file);
    if (args.oldString === args.newString) throw new ToolError("oldString and newString are the same: nothing to change");
    const before =
      args.oldString === ""
        ? ""
        : await readFile(file, "utf8").catch(() => {
            throw new ToolError(`File not found: ${file}`);
          });
    let after: string;
    if (args.oldString === "") after = args.newString;
    else {
      const count = countOccurrences(before, args.oldString);
      if (count === 0) throw new ToolError("oldString was not found in the file");
      if (count > 1 && !args.replaceAll)
        throw new ToolError(`oldString appears ${count} times: add surrounding lines to make it unique, or set replaceAll`);
      after = args.replaceAll ? before.split(args.oldString).join(args.newString) : before.replace(args.oldString, () => args.newString);
    }
    await ctx.ask({
      permission: "edit",
      patterns: [relative],
      always: ["*"],
      metadata: { filepath: file, diff: createTwoFilesPatch(file, file, before, after) },
    });
    await writeFile(file, after);
    ctx.publish("file.edited", { file });
    ctx.publish("file.watcher.updated", { file, event: "change" });
    const changes = diffLines(before, after);
    const additions = changes.filter((c) => c.added).reduce((n, c) => n + (c.count ?? 0), 0);
    const deletions = changes.filter((c) => c.removed).reduce((n, c) => n + (c.count ?? 0), 0);
    return {
      title: relative,
      output: "Edit applied successfully.",
      metadata: {
        diagnostics: {},
        diff: createTwoFilesPatch(file, file, before, after),
        filediff: { file, before, after, additions, deletions },
      },
    };
  },
};
